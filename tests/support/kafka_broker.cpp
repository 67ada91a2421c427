#include "kafka_broker.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "support/command.hpp"
#include "support/scratch.hpp"

#ifndef FD_BUILD_DIR
#error "FD_BUILD_DIR (the build folder holding bin/, a string literal) must be defined"
#endif

namespace fd::test {

KafkaBroker::KafkaBroker(int partitions) {
  dir_ = make_temp_dir("fd-kafka-");
  const std::string bootstrap_file = this->bootstrap_file();
  std::vector<std::string> args = {std::string(FD_BUILD_DIR) + "/bin/fooddelivery",
                                   "kafka-broker",
                                   "--partitions",
                                   std::to_string(partitions),
                                   "--bootstrap-file",
                                   bootstrap_file};
  const std::string log = log_path();
  pid_ = spawn(args, log);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("fooddelivery kafka-broker exited during start (status " + std::to_string(status) +
                               "):\n" + tail_of(log));
    }
    std::ifstream in(bootstrap_file);  // written atomically: whole or absent
    if (in && std::getline(in, bootstrap_) && !bootstrap_.empty()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop();
  throw std::runtime_error("fooddelivery kafka-broker wrote no bootstrap list within 10 s:\n" + tail_of(log));
}

KafkaBroker::~KafkaBroker() {
  stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

bool KafkaBroker::stop() {
  if (pid_ <= 0) return false;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid_, SIGKILL);
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  return false;
}

platform::MessagingOptions KafkaBroker::messaging_options(std::string durable) const {
  platform::MessagingOptions options;
  options.bus_url = url();
  options.durable = std::move(durable);
  options.relay_poll = std::chrono::milliseconds(50);
  return options;
}

}  // namespace fd::test
