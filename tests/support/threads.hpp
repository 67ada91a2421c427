#pragma once
// A process's threads as /proc shows them, by the names the platform gives them
// (platform/thread_name.hpp).
#include <string>

namespace fd::test {

// The voluntary context switches so far of process `pid`'s threads named `name` (those libnats
// starts from one take its name too): each wait they went into, woken or not. Throws
// std::runtime_error when no thread has that name.
long voluntary_switches(int pid, const std::string& name);

// How many of process `pid`'s threads are named `name` (those libnats starts from one too).
int threads_named(int pid, const std::string& name);

}  // namespace fd::test
