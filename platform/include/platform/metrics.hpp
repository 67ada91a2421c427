#pragma once
// The process's metrics, served on every service's /metrics in Prometheus's text format by
// prometheus-cpp. What changes as things happen (requests, events published) lives in the
// one registry, whose families a source builds in its own .cpp; what is read when scraped
// (an outbox's depth, a breaker's counts, a queue) is handed to text() as families of the
// moment. Only the small metric_family header is seen by who includes this one.
#include <map>
#include <string>
#include <vector>

#include <prometheus/metric_family.h>

namespace prometheus {
class Registry;
}

namespace platform::metrics {

prometheus::Registry& registry();

// A family of the moment, and one sample of it.
prometheus::MetricFamily family(std::string name, std::string help, prometheus::MetricType type);
void add(prometheus::MetricFamily& family, double value, const std::map<std::string, std::string>& labels = {});

// The registry, the process's own figures (CPU, memory, open files, start time, read now) and
// the families of the moment, in the text format 0.0.4.
std::string text(std::vector<prometheus::MetricFamily> now = {});

// The figures the process's own /proc says, as the Prometheus client libraries name them
// (process_cpu_seconds_total, process_resident_memory_bytes, ...); empty where /proc is not.
std::vector<prometheus::MetricFamily> process_families();

}  // namespace platform::metrics
