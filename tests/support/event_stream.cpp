#include "support/event_stream.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace fd::test {

EventStreamClient::EventStreamClient(int port, const std::string& target, const std::string& token,
                                     const std::string& last_event_id, std::chrono::milliseconds timeout) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
    throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
  std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
  if (!token.empty()) request += "Authorization: Bearer " + token + "\r\n";
  if (!last_event_id.empty()) request += "Last-Event-ID: " + last_event_id + "\r\n";
  request += "\r\n";
  if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size()))
    throw std::runtime_error("cannot send " + target);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t end = std::string::npos;
  while ((end = raw_.find("\r\n\r\n")) == std::string::npos)
    if (!receive(deadline)) return;
  head_ = raw_.substr(0, end);
  raw_.erase(0, end + 4);
  if (head_.size() > 12) status_ = std::stoi(head_.substr(9, 3));
  for (char& c : head_) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  chunked_ = head_.find("transfer-encoding: chunked") != std::string::npos;
  decode();
}

EventStreamClient::~EventStreamClient() {
  if (fd_ >= 0) ::close(fd_);
}

bool EventStreamClient::receive(std::chrono::steady_clock::time_point deadline) {
  if (ended_) return false;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd ready{fd_, POLLIN, 0};
  if (::poll(&ready, 1, static_cast<int>(left.count())) <= 0) return false;
  char buffer[8192];
  auto got = ::recv(fd_, buffer, sizeof buffer, 0);
  if (got <= 0) {
    ended_ = true;
    return false;
  }
  raw_.append(buffer, static_cast<std::size_t>(got));
  return true;
}

void EventStreamClient::decode() {
  if (!chunked_) {
    text_ += raw_;
    raw_.clear();
    return;
  }
  for (;;) {
    auto line = raw_.find("\r\n");
    if (line == std::string::npos) return;
    auto size = std::stoul(raw_.substr(0, line), nullptr, 16);
    if (raw_.size() < line + 2 + size + 2) return;
    text_ += raw_.substr(line + 2, size);
    raw_.erase(0, line + 2 + size + 2);
    if (size == 0) ended_ = true;
  }
}

std::optional<StreamedEvent> EventStreamClient::next(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    // Each event ends at a blank line; a comment alone is a heartbeat.
    for (auto end = text_.find("\n\n"); end != std::string::npos; end = text_.find("\n\n")) {
      auto block = text_.substr(0, end + 1);
      text_.erase(0, end + 2);
      StreamedEvent event;
      bool any = false;
      for (std::size_t at = 0; at < block.size();) {
        auto eol = block.find('\n', at);
        auto line = block.substr(at, eol - at);
        at = eol + 1;
        if (line.starts_with(":")) {
          ++comments_;
          continue;
        }
        auto colon = line.find(": ");
        auto field = line.substr(0, colon), value = colon == std::string::npos ? "" : line.substr(colon + 2);
        any = true;
        if (field == "id") event.id = value;
        else if (field == "event") event.event = value;
        else if (field == "data") event.data += (event.data.empty() ? "" : "\n") + value;
      }
      if (any) return event;
    }
    if (!receive(deadline)) return std::nullopt;
    decode();
  }
}

}  // namespace fd::test
