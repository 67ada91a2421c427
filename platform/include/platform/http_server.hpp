#pragma once
// HTTP/1.1 server on Boost.Beast with coroutines: keep-alive, timeouts, body limit.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "platform/router.hpp"

namespace platform {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port
  std::size_t body_limit = 64 * 1024;
  int idle_timeout_seconds = 30;
  int threads = 1;
  // The pool for Work::Cpu routes (made only when the router has some): its workers, and how
  // many more requests may wait for one before the next is refused with 503.
  int cpu_threads = 1;
  int cpu_queue = 4;
  // An event stream (event_stream.hpp) that sent nothing for this long gets a comment line, so
  // that proxies and clients keep it open.
  std::chrono::milliseconds stream_heartbeat{15000};
  // A stream's source is pulled at most once in this long: a burst of wake-ups (each commit of
  // a busy service wakes every watch) makes one pull at its start and one per interval after,
  // the last of them included, instead of reads back to back on a core.
  std::chrono::milliseconds stream_least_interval{50};
};

class HttpServer {
 public:
  HttpServer(const Router& router, ServerOptions options);
  ~HttpServer();
  std::uint16_t port() const;
  // Serves until stop() or SIGINT/SIGTERM.
  void run();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace platform
