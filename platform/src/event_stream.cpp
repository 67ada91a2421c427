#include "platform/event_stream.hpp"

#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "platform/db.hpp"

namespace platform {

std::string format_event(const ServerSentEvent& event) {
  std::string out;
  if (!event.id.empty()) out += "id: " + event.id + "\n";
  if (!event.event.empty()) out += "event: " + event.event + "\n";
  // A data line ends at a line break: a document spread over lines goes as one line each.
  std::size_t start = 0;
  for (;;) {
    auto end = event.data.find('\n', start);
    out += "data: " + event.data.substr(start, end == std::string::npos ? std::string::npos : end - start) + "\n";
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out + "\n";
}

Response event_stream_response(std::shared_ptr<EventSource> source) {
  Response response{200, "text/event-stream", "", {{"Cache-Control", "no-cache"}, {"X-Accel-Buffering", "no"}}};
  response.events = std::move(source);
  return response;
}

Request as_get(const Request& stream_request) {
  Request get = stream_request;
  constexpr std::string_view suffix = "/stream";
  if (get.path.ends_with(suffix)) get.path.resize(get.path.size() - suffix.size());
  return get;
}

namespace {

// The wake-ups of the watches streaming now, by watch.
class LiveWatches {
 public:
  void add(const void* watch, std::function<void()> wake) {
    std::lock_guard lock(mutex_);
    wakes_[watch] = std::move(wake);
  }
  void remove(const void* watch) {
    std::lock_guard lock(mutex_);
    wakes_.erase(watch);
  }
  // Each wake-up only fills its stream's one slot (http_server.cpp), never blocks.
  void wake_all() {
    std::lock_guard lock(mutex_);
    for (const auto& [watch, wake] : wakes_) wake();
  }

 private:
  std::mutex mutex_;
  std::unordered_map<const void*, std::function<void()>> wakes_;
};

LiveWatches& live_watches() {
  static auto* instance = new LiveWatches;  // never destroyed: a commit may come during exit
  return *instance;
}

class Watch final : public EventSource {
 public:
  Watch(std::string event, std::function<Response()> read, std::chrono::milliseconds every, std::string first)
      : event_(std::move(event)), read_(std::move(read)), every_(every), pending_(std::move(first)) {}
  ~Watch() override { live_watches().remove(this); }

  void wake_with(std::function<void()> wake) override { live_watches().add(this, std::move(wake)); }

  std::vector<ServerSentEvent> pull() override {
    std::string body = pending_ ? std::move(*pending_) : read_().body;
    pending_.reset();
    if (body == last_) return {};
    last_ = body;
    return {{std::to_string(++sent_), event_, std::move(body)}};
  }
  std::chrono::milliseconds every() const override { return every_; }

 private:
  std::string event_;
  std::function<Response()> read_;
  std::chrono::milliseconds every_;
  std::optional<std::string> pending_;  // the first read, made while answering the request
  std::string last_;
  std::uint64_t sent_ = 0;
};

}  // namespace

Response watch(std::string event, std::function<Response()> read, std::chrono::milliseconds every) {
  auto first = read();
  if (first.status != 200) return first;
  return event_stream_response(std::make_shared<Watch>(std::move(event), std::move(read), every, std::move(first.body)));
}

void wake_watches_on_commit(Db& db) {
  db.on_commit([] { live_watches().wake_all(); });
}

}  // namespace platform
