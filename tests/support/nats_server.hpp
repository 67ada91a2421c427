#pragma once
// A real nats-server with JetStream for integration tests: its own free port on 127.0.0.1
// and its own store directory, removed when the object goes away.
//
// The binary is $FD_NATS_SERVER, else `nats-server` on PATH, else /usr/sbin/nats-server.
// The server's log is in log_path(); start failures include its tail.
#include <string>
#include <sys/types.h>

namespace fd::test {

class NatsServer {
 public:
  NatsServer();  // starts it and waits until it accepts connections
  ~NatsServer();
  NatsServer(const NatsServer&) = delete;
  NatsServer& operator=(const NatsServer&) = delete;

  std::string url() const;  // nats://127.0.0.1:<port>
  int port() const { return port_; }
  const std::string& store_dir() const { return store_dir_; }
  std::string log_path() const { return dir_ + "/nats-server.log"; }
  bool running() const { return pid_ > 0; }

  void kill();     // SIGKILL, and reaps it
  void restart();  // kill if running, then start again on the same port with the same store
  void stop();     // SIGTERM (graceful), then SIGKILL after a timeout

 private:
  void launch();
  void wait_ready();

  std::string dir_;
  std::string store_dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace fd::test
