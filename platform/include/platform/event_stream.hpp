#pragma once
// Server-sent events (text/event-stream): a route answers with a Response whose `events` is an
// EventSource, and the server writes its events as they come, holding no thread while it waits
// (http_server.cpp). A comment line goes out when nothing was sent for a while (a heartbeat,
// ServerOptions::stream_heartbeat), so that proxies keep the connection open; the stream ends
// when the client goes, when the server stops, or when the source refuses to go on.
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "platform/http.hpp"

namespace platform {

class Db;

struct ServerSentEvent {
  std::string id;     // what the client sends back as Last-Event-ID; "" for none
  std::string event;  // its type
  std::string data;   // JSON, on one line
};

// The wire text of one event: its id:, event: and data: lines and the blank line after.
std::string format_event(const ServerSentEvent& event);

class EventSource {
 public:
  virtual ~EventSource() = default;
  // Called once, before the first pull: calling `wake` (from any thread, as often as wanted)
  // makes the server pull again at once instead of at the next `every`.
  virtual void wake_with(std::function<void()> wake) { (void)wake; }
  // The events ready now, maybe none. Runs on an I/O thread, as a handler does. A Problem
  // ends the stream (the caller's token revoked, the resource gone): it goes out as a last
  // event `problem` with the problem+json document.
  virtual std::vector<ServerSentEvent> pull() = 0;
  // The server pulls at least this often, woken or not.
  virtual std::chrono::milliseconds every() const = 0;
};

// The headers of every event stream's answer: no caching, and no buffering by a proxy.
Response event_stream_response(std::shared_ptr<EventSource> source);

// A stream of one resource as its GET answers it: `read` runs the GET's handler on the
// caller's request, and its body goes out as an event `event` whenever it differs from the
// last one sent, the first at once. Its id counts the documents sent: a client that
// reconnects gets the current document again, which is all it needs. Read again after each
// commit of the process's database (wake_watches_on_commit), so that a change goes out as
// soon as it is committed here, and at least every `every`, for what another replica of the
// service commits: a revoked or expired token, or a resource no longer the caller's, ends
// the stream with that problem. A read refused at the start is the answer itself (401, 403,
// 404 ...).
Response watch(std::string event, std::function<Response()> read, std::chrono::milliseconds every);

// Wakes every watch of this process after each commit of db. A commit wakes a watch once
// however many came while it read (its wake-up is one slot), so a busy database makes its
// watches read back to back, never queue up. The service host calls it for its database.
void wake_watches_on_commit(Db& db);

// The request of a collection's stream (GET /foodCookings/stream?size=5) as the request of
// the collection's GET (/foodCookings?size=5): its document, page links included, is the GET's.
Request as_get(const Request& stream_request);

// How often a watched resource is read again when no commit of this process woke it: a
// change another replica of the service committed reaches its streams within this.
inline constexpr std::chrono::milliseconds kWatchEvery{250};

}  // namespace platform
