// glibc's allocator settings (mallopt), which Glibc's Swift module does not include.
#include <malloc.h>
