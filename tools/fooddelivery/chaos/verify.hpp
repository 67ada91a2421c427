#pragma once
// The verification after the drain: every acknowledged order read back from every service and
// from the stream, and each disagreement named as lost, duplicated or inconsistent.
#include <cstdint>
#include <string>
#include <vector>

#include "chaos.hpp"

namespace fd::cli::chaos {

struct Findings {
  std::vector<Anomaly> anomalies;
  std::vector<std::string> details;  // per anomalous order: what each service and the stream say
  int unacknowledged = 0;            // orders placed whose 201 never reached the client
  int republished = 0;               // Kafka: events stored again under their id (not an anomaly there)
  int unconfirmed = 0;               // KakaoTalk messages whose sending a kill cut off (never sent twice)
};

// Fills `findings` as it goes, so that what was read before a service could not be read (it
// throws then) is still reported. first_mark: how far the stream had come before the run.
void verify(const Options& options, const Tokens& tokens, const std::vector<Placed>& placed,
            const std::vector<Kill>& kills, const platform::StreamMark& first_mark, const Log& log,
            Findings& findings);

}  // namespace fd::cli::chaos
