#pragma once
// The load generator behind `fooddelivery load` and the drills: workers run a mix of user
// operations through the gateway and every request's code and latency is recorded.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "client.hpp"

namespace fd::cli {

struct LoadOptions {
  Origin gateway{"127.0.0.1", 8088};
  int concurrency = 8;
  std::chrono::seconds duration{10};
  std::int64_t count = 0;  // stop after this many operations instead (0: use duration)
  // operation → weight: place, status, cancel, journey
  std::map<std::string, int> mix{{"place", 1}, {"status", 3}};
  std::int64_t store = 1;
  std::int64_t menu = 104;
};

struct LoadReport {
  double seconds = 0;
  std::int64_t operations = 0;
  std::map<int, std::int64_t> codes;  // HTTP status → count; 0 = no answer (refused, timed out)
  std::vector<double> latencies_ms;   // every request
  std::map<std::string, std::vector<double>> by_operation_ms;

  std::int64_t requests() const;
  double availability() const;  // share of requests answered without a 5xx
  double percentile(double p) const;
  std::string summary() const;
};

struct Progress {
  double seconds;
  std::int64_t requests;
  std::int64_t errors;
};

// Throws with a clear message when the platform cannot be reached or the demo accounts
// cannot log in.
LoadReport run_load(const LoadOptions& options, const std::function<void(const Progress&)>& progress = {});

}  // namespace fd::cli
