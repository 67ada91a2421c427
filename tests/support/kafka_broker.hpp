#pragma once
// `fooddelivery kafka-broker` (librdkafka's mock cluster) as a test's own child process: its
// brokers listen on ports it picks on 127.0.0.1; the bootstrap list is read from the file it
// writes. In memory only: killed, it keeps nothing.
#include <sys/types.h>

#include <string>

#include "platform/messaging.hpp"

namespace fd::test {

class KafkaBroker {
 public:
  explicit KafkaBroker(int partitions = 6);  // starts it and waits for its bootstrap list
  ~KafkaBroker();
  KafkaBroker(const KafkaBroker&) = delete;
  KafkaBroker& operator=(const KafkaBroker&) = delete;

  const std::string& bootstrap() const { return bootstrap_; }
  std::string url() const { return "kafka://" + bootstrap_; }  // for FD_BUS_URL
  std::string log_path() const { return dir_ + "/kafka-broker.log"; }

  std::string bootstrap_file() const { return dir_ + "/kafka.bootstrap"; }

  // A service's messaging on this broker (its consumer group `durable`), its outbox relayed
  // every 50 ms.
  platform::MessagingOptions messaging_options(std::string durable = {}) const;

  // SIGTERM, waiting for it to exit (SIGKILL after a timeout); whether it exited by itself,
  // with status 0, within it.
  bool stop();

 private:
  std::string dir_;
  std::string bootstrap_;
  pid_t pid_ = -1;
};

}  // namespace fd::test
