#pragma once
// A client of a server-sent event stream through the gateway, as a browser's EventSource
// reads one: the answer's head, then each event as it arrives, with bounded waits.
#include <chrono>
#include <optional>
#include <string>

namespace fd::test {

struct StreamedEvent {
  std::string id;
  std::string event;
  std::string data;
};

class EventStreamClient {
 public:
  // Sends GET target with the Bearer token (none when empty) and Last-Event-ID (none when
  // empty), and reads the answer's head within `timeout`; status() is 0 when none came.
  EventStreamClient(int port, const std::string& target, const std::string& token,
                    const std::string& last_event_id = "",
                    std::chrono::milliseconds timeout = std::chrono::seconds(15));
  ~EventStreamClient();
  EventStreamClient(const EventStreamClient&) = delete;
  EventStreamClient& operator=(const EventStreamClient&) = delete;

  int status() const { return status_; }
  const std::string& head() const { return head_; }  // status line and headers
  // The next event within `timeout`, or nothing (none came, or the stream ended).
  std::optional<StreamedEvent> next(std::chrono::milliseconds timeout = std::chrono::seconds(15));
  // Comment lines received so far (the server's heartbeats).
  int comments() const { return comments_; }
  // The server ended the stream (the last chunk came, or the connection closed).
  bool ended() const { return ended_; }

 private:
  // Reads more of the body within the deadline; false when nothing more came.
  bool receive(std::chrono::steady_clock::time_point deadline);
  void decode();  // moves whole chunks from raw_ to text_

  int fd_ = -1;
  int status_ = 0;
  std::string head_;
  bool chunked_ = false;
  std::string raw_;   // received, not yet decoded
  std::string text_;  // the decoded body, not yet parsed into events
  int comments_ = 0;
  bool ended_ = false;
};

}  // namespace fd::test
