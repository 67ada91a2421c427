// librdkafka, loaded when the first Kafka bus is made instead of at every start.
//
// librdkafka brings SASL, zstd, lz4 and zlib along: 0.65 MB of every service's resident
// memory and part of its start, while the default bus (JetStream) never calls any of it.
#include <librdkafka/rdkafka.h>

#include "loaded_library.hpp"

namespace {

platform::LoadedLibrary rdkafka("librdkafka.so.1",
                                "the Kafka bus (FD_BUS=kafka) needs librdkafka.so.1 (Debian package librdkafka1)");

}  // namespace

extern "C" {

FD_LOADED_FUNCTION(rdkafka, rd_kafka_resp_err_t, rd_kafka_assign,
                   (rd_kafka_t* rk, const rd_kafka_topic_partition_list_t* partitions),
                   (rk, partitions))
FD_LOADED_FUNCTION(rdkafka, rd_kafka_resp_err_t, rd_kafka_assignment,
                   (rd_kafka_t* rk, rd_kafka_topic_partition_list_t** partitions),
                   (rk, partitions))
FD_LOADED_FUNCTION(rdkafka, rd_kafka_resp_err_t, rd_kafka_commit,
                   (rd_kafka_t* rk, const rd_kafka_topic_partition_list_t* offsets, int async),
                   (rk, offsets, async))
FD_LOADED_FUNCTION(rdkafka, rd_kafka_resp_err_t, rd_kafka_committed,
                   (rd_kafka_t* rk, rd_kafka_topic_partition_list_t* partitions, int timeout_ms),
                   (rk, partitions, timeout_ms))
FD_LOADED_FUNCTION(rdkafka, void, rd_kafka_conf_destroy, (rd_kafka_conf_t* conf), (conf))
FD_LOADED_FUNCTION(rdkafka, rd_kafka_conf_t*, rd_kafka_conf_new, (void), ())
FD_LOADED_FUNCTION(rdkafka, rd_kafka_conf_res_t, rd_kafka_conf_set,
                   (rd_kafka_conf_t* conf, const char* name, const char* value, char* errstr, size_t errstr_size),
                   (conf, name, value, errstr, errstr_size))
FD_LOADED_FUNCTION(rdkafka, void, rd_kafka_conf_set_dr_msg_cb,
                   (rd_kafka_conf_t* conf,
                    void (*dr_msg_cb)(rd_kafka_t* rk, const rd_kafka_message_t* rkmessage, void* opaque)),
                   (conf, dr_msg_cb))
FD_LOADED_FUNCTION(rdkafka, void, rd_kafka_conf_set_error_cb,
                   (rd_kafka_conf_t* conf, void (*error_cb)(rd_kafka_t* rk, int err, const char* reason, void* opaque)),
                   (conf, error_cb))
FD_LOADED_FUNCTION(rdkafka, void, rd_kafka_conf_set_opaque, (rd_kafka_conf_t* conf, void* opaque), (conf, opaque))
FD_LOADED_FUNCTION(rdkafka, void, rd_kafka_conf_set_rebalance_cb,
                   (rd_kafka_conf_t* conf,
                    void (*rebalance_cb)(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                         rd_kafka_topic_partition_list_t* partitions, void* opaque)),
                   (conf, rebalance_cb))
FD_LOADED_FUNCTION(rdkafka, rd_kafka_resp_err_t, rd_kafka_consumer_close, (rd_kafka_t* rk), (rk))
FD_LOADED_FUNCTION(rdkafka, rd_kafka_message_t*, rd_kafka_consumer_poll,
                   (rd_kafka_t* rk, int timeout_ms),
                   (rk, timeout_ms))
FD_LOADED_FUNCTION(rdkafka, void, rd_kafka_destroy, (rd_kafka_t* rk), (rk))
FD_LOADED_FUNCTION(rdkafka, const char*, rd_kafka_err2str, (rd_kafka_resp_err_t err), (err))
FD_LOADED_FUNCTION(rdkafka, void, rd_kafka_error_destroy, (rd_kafka_error_t* error), (error))
FD_LOADED_FUNCTION(rdkafka, const char*, rd_kafka_error_string, (const rd_kafka_error_t* error), (error))
FD_LOADED_FUNCTION(rdkafka, rd_kafka_resp_err_t, rd_kafka_flush, (rd_kafka_t* rk, int timeout_ms), (rk, timeout_ms))
FD_LOADED_FUNCTION(rdkafka, rd_kafka_resp_err_t, rd_kafka_get_watermark_offsets,
                   (rd_kafka_t* rk, const char* topic, int32_t partition, int64_t* low, int64_t* high),
                   (rk, topic, partition, low, high))
FD_LOADED_FUNCTION(rdkafka, rd_kafka_resp_err_t, rd_kafka_header_add,
                   (rd_kafka_headers_t* hdrs, const char* name, ssize_t name_size, const void* value,
                    ssize_t value_size),
                   (hdrs, name, name_size, value, value_size))
FD_LOADED_FUNCTION(rdkafka, rd_kafka_resp_err_t, rd_kafka_header_get_all,
                   (const rd_kafka_headers_t* hdrs, size_t idx, const char** namep, const void** valuep, size_t* sizep),
                   (hdrs, idx, namep, valuep, sizep))
FD_LOADED_FUNCTION(rdkafka, rd_kafka_resp_err_t, rd_kafka_header_get_last,
                   (const rd_kafka_headers_t* hdrs, const char* name, const void** valuep, size_t* sizep),
                   (hdrs, name, valuep, sizep))
FD_LOADED_FUNCTION(rdkafka, void, rd_kafka_headers_destroy, (rd_kafka_headers_t* hdrs), (hdrs))
FD_LOADED_FUNCTION(rdkafka, rd_kafka_headers_t*, rd_kafka_headers_new, (size_t initial_count), (initial_count))
FD_LOADED_FUNCTION(rdkafka, void, rd_kafka_message_destroy, (rd_kafka_message_t* rkmessage), (rkmessage))
FD_LOADED_FUNCTION(rdkafka, const char*, rd_kafka_message_errstr, (const rd_kafka_message_t* rkmessage), (rkmessage))
FD_LOADED_FUNCTION(rdkafka, rd_kafka_resp_err_t, rd_kafka_message_headers,
                   (const rd_kafka_message_t* rkmessage, rd_kafka_headers_t** hdrsp),
                   (rkmessage, hdrsp))
FD_LOADED_FUNCTION(rdkafka, int64_t, rd_kafka_message_timestamp,
                   (const rd_kafka_message_t* rkmessage, rd_kafka_timestamp_type_t* tstype),
                   (rkmessage, tstype))
FD_LOADED_FUNCTION(rdkafka, rd_kafka_resp_err_t, rd_kafka_metadata,
                   (rd_kafka_t* rk, int all_topics, rd_kafka_topic_t* only_rkt,
                    const struct rd_kafka_metadata** metadatap, int timeout_ms),
                   (rk, all_topics, only_rkt, metadatap, timeout_ms))
FD_LOADED_FUNCTION(rdkafka, void, rd_kafka_metadata_destroy, (const struct rd_kafka_metadata* metadata), (metadata))
FD_LOADED_FUNCTION(rdkafka, rd_kafka_t*, rd_kafka_new,
                   (rd_kafka_type_t type, rd_kafka_conf_t* conf, char* errstr, size_t errstr_size),
                   (type, conf, errstr, errstr_size))
FD_LOADED_FUNCTION(rdkafka, rd_kafka_resp_err_t, rd_kafka_pause_partitions,
                   (rd_kafka_t* rk, rd_kafka_topic_partition_list_t* partitions),
                   (rk, partitions))
FD_LOADED_FUNCTION(rdkafka, int, rd_kafka_poll, (rd_kafka_t* rk, int timeout_ms), (rk, timeout_ms))
FD_LOADED_FUNCTION(rdkafka, rd_kafka_resp_err_t, rd_kafka_poll_set_consumer, (rd_kafka_t* rk), (rk))
FD_LOADED_FUNCTION(rdkafka, rd_kafka_error_t*, rd_kafka_produceva,
                   (rd_kafka_t* rk, const rd_kafka_vu_t* vus, size_t cnt),
                   (rk, vus, cnt))
FD_LOADED_FUNCTION(rdkafka, rd_kafka_resp_err_t, rd_kafka_query_watermark_offsets,
                   (rd_kafka_t* rk, const char* topic, int32_t partition, int64_t* low, int64_t* high, int timeout_ms),
                   (rk, topic, partition, low, high, timeout_ms))
FD_LOADED_FUNCTION(rdkafka, rd_kafka_resp_err_t, rd_kafka_resume_partitions,
                   (rd_kafka_t* rk, rd_kafka_topic_partition_list_t* partitions),
                   (rk, partitions))
FD_LOADED_FUNCTION(rdkafka, rd_kafka_error_t*, rd_kafka_seek_partitions,
                   (rd_kafka_t* rk, rd_kafka_topic_partition_list_t* partitions, int timeout_ms),
                   (rk, partitions, timeout_ms))
FD_LOADED_FUNCTION(rdkafka, rd_kafka_resp_err_t, rd_kafka_subscribe,
                   (rd_kafka_t* rk, const rd_kafka_topic_partition_list_t* topics),
                   (rk, topics))
FD_LOADED_FUNCTION(rdkafka, void, rd_kafka_topic_destroy, (rd_kafka_topic_t* rkt), (rkt))
FD_LOADED_FUNCTION(rdkafka, rd_kafka_topic_t*, rd_kafka_topic_new,
                   (rd_kafka_t* rk, const char* topic, rd_kafka_topic_conf_t* conf),
                   (rk, topic, conf))
FD_LOADED_FUNCTION(rdkafka, rd_kafka_topic_partition_t*, rd_kafka_topic_partition_list_add,
                   (rd_kafka_topic_partition_list_t* rktparlist, const char* topic, int32_t partition),
                   (rktparlist, topic, partition))
FD_LOADED_FUNCTION(rdkafka, void, rd_kafka_topic_partition_list_destroy,
                   (rd_kafka_topic_partition_list_t* rkparlist),
                   (rkparlist))
FD_LOADED_FUNCTION(rdkafka, rd_kafka_topic_partition_list_t*, rd_kafka_topic_partition_list_new, (int size), (size))
FD_LOADED_FUNCTION(rdkafka, rd_kafka_resp_err_t, rd_kafka_unsubscribe, (rd_kafka_t* rk), (rk))

}  // extern "C"
