// zlib, for reading .gz input files as a stream.
#include <zlib.h>

// inflateInit2 is a macro; Swift needs a function.
static inline int czlib_inflate_init(z_stream *stream) {
    // 15 window bits + 32: accept both gzip and zlib headers.
    return inflateInit2(stream, 15 + 32);
}
