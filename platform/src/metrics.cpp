#include "platform/metrics.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <sstream>

namespace platform::metrics {

prometheus::Registry& registry() {
  static prometheus::Registry one;
  return one;
}

prometheus::MetricFamily family(std::string name, std::string help, prometheus::MetricType type) {
  prometheus::MetricFamily out;
  out.name = std::move(name);
  out.help = std::move(help);
  out.type = type;
  return out;
}

void add(prometheus::MetricFamily& family, double value, const std::map<std::string, std::string>& labels) {
  prometheus::ClientMetric metric;
  for (const auto& [name, text] : labels) metric.label.push_back({name, text});
  switch (family.type) {
    case prometheus::MetricType::Counter: metric.counter.value = value; break;
    case prometheus::MetricType::Gauge: metric.gauge.value = value; break;
    default: metric.untyped.value = value; break;
  }
  family.metric.push_back(std::move(metric));
}

namespace {

std::size_t open_files() {
  std::size_t n = 0;
  if (DIR* dir = opendir("/proc/self/fd")) {
    while (auto* entry = readdir(dir))
      if (entry->d_name[0] != '.') ++n;
    closedir(dir);
    if (n > 0) --n;  // the directory stream's own descriptor
  }
  return n;
}

}  // namespace

std::vector<prometheus::MetricFamily> process_families() {
  using prometheus::MetricType;
  std::vector<prometheus::MetricFamily> out;
  // /proc/self/stat: the fields after the command's closing parenthesis; utime and stime are
  // the 12th and 13th of them, starttime the 20th, vsize the 21st, rss (pages) the 22nd.
  std::ifstream stat("/proc/self/stat");
  std::string line;
  if (!std::getline(stat, line)) return out;
  auto after = line.rfind(')');
  if (after == std::string::npos) return out;
  std::istringstream fields(line.substr(after + 2));
  std::vector<std::string> field;
  for (std::string f; fields >> f;) field.push_back(f);
  if (field.size() < 22) return out;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  // The machine's boot time does not change while the process lives: /proc/stat is read once.
  static const double boot_time = [] {
    double seconds = 0;
    std::ifstream proc_stat("/proc/stat");
    for (std::string key; proc_stat >> key;) {
      if (key == "btime") {
        proc_stat >> seconds;
        break;
      }
      std::getline(proc_stat, key);
    }
    return seconds;
  }();

  auto one = [&](const char* name, const char* help, MetricType type, double value) {
    out.push_back(family(name, help, type));
    add(out.back(), value);
  };
  one("process_cpu_seconds_total", "User and system CPU time spent, in seconds.", MetricType::Counter,
      (std::stod(field[11]) + std::stod(field[12])) / ticks);
  one("process_resident_memory_bytes", "Resident memory size, in bytes.", MetricType::Gauge,
      std::stod(field[21]) * page);
  one("process_virtual_memory_bytes", "Virtual memory size, in bytes.", MetricType::Gauge, std::stod(field[20]));
  one("process_start_time_seconds", "Start time of the process since the Unix epoch, in seconds.", MetricType::Gauge,
      boot_time + std::stod(field[19]) / ticks);
  one("process_open_fds", "Number of open file descriptors.", MetricType::Gauge, static_cast<double>(open_files()));
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0)
    one("process_max_fds", "Maximum number of open file descriptors.", MetricType::Gauge,
        static_cast<double>(limit.rlim_cur));
  return out;
}

std::string text(std::vector<prometheus::MetricFamily> now) {
  auto families = registry().Collect();
  for (auto& f : process_families()) families.push_back(std::move(f));
  for (auto& f : now) families.push_back(std::move(f));
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace platform::metrics
