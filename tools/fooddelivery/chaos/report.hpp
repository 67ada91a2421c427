#pragma once
// The chaos run's report: text for people, or one JSON object with --json.
#include <map>
#include <string>
#include <vector>

#include "chaos.hpp"
#include "verify.hpp"

namespace fd::cli::chaos {

// How the run went.
struct Outcome {
  std::vector<Placed> placed;
  std::vector<Kill> kills;
  int kills_made = 0;                    // kills that took (kill commands that succeeded)
  std::map<std::string, int> failures;  // what went wrong on the client's side → how many
  int attempts = 0;                      // POST /orders, acknowledged or not
  int first_attempt = 0;                 // orders acknowledged on their first POST
  int after_retries = 0;                 // orders acknowledged when their key was sent again
  int given_up = 0;                      // orders never acknowledged
  int kill_failures = 0;                 // kill or start commands that failed
  std::string last_kill_error;
  bool drained = false;
  std::string drain_error;
  std::string error;  // why the verification failed
  Findings findings;
  double placing_s = 0, drained_s = 0, total_s = 0;  // since the start, at the end of each phase
};

// Prints the report; returns the exit status (0 when nothing was found).
int report(const Options& options, const Outcome& outcome);

}  // namespace fd::cli::chaos
