#pragma once
// The HTTP status of the platform::Problem an action throws, or 0 when it throws none.
#include <functional>

#include "platform/problem.hpp"

inline int problem_status(const std::function<void()>& action) {
  try {
    action();
  } catch (const platform::Problem& problem) {
    return problem.status;
  }
  return 0;
}
