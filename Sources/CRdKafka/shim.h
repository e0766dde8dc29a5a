// The C API of librdkafka, and its in-process Kafka-protocol broker (the "mock cluster").
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
