#pragma once
// Each thread the platform starts says what it does, where top -H, perf, gdb and
// /proc/<pid>/task/*/comm show it ("relay", "consumer", "kakao-sender", ...): without a name
// every thread of a service is its program's name, and a profile cannot tell them apart. The
// main thread keeps the program's name, which is the process's own.
#include <pthread.h>

#include <string>

namespace platform {

// Linux keeps the first 15 characters.
inline void name_this_thread(std::string name) {
  if (name.size() > 15) name.resize(15);
  pthread_setname_np(pthread_self(), name.c_str());
}

}  // namespace platform
