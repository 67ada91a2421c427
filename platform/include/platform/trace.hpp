#pragma once
// W3C Trace Context (https://www.w3.org/TR/trace-context/): the traceparent header that a
// request carries through the gateway, every HTTP call between services and every event,
// so that the log lines of one order's journey share a trace id.
//
// A thread holds the trace of the work it does now (a request's handler, a reaction to an
// event): the HTTP server and the consumer set it around that work, and the logger, the
// HTTP client and the outbox read it from there.
#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace platform::trace {

struct TraceContext {
  std::array<char, 32> trace_id{};  // lower-case hex, not all zeros
  std::array<char, 16> span_id{};   // lower-case hex, not all zeros: this span's, the parent-id it passes on
  std::array<char, 2> flags{'0', '1'};

  std::string_view trace() const { return {trace_id.data(), trace_id.size()}; }
  // "00-<trace id>-<span id>-<flags>": the header that makes this span the parent.
  std::string traceparent() const;
  // The same trace under a new span (an HTTP call made, a service's own part of a request).
  TraceContext child() const;
};

// A traceparent header as the spec reads it: version 00 is exactly 55 characters; a later
// version (not ff) may carry more after a '-', and its first four fields are read as 00's.
// Nothing for a malformed one, or one whose trace id or parent id is all zeros.
std::optional<TraceContext> parse(std::string_view traceparent);

// A new trace with a random trace id and span id, sampled.
TraceContext start();

// What a request or event that came with this header (or none: "") continues: its trace under
// a new span, or a new trace when the header is missing or malformed, as the spec asks.
TraceContext continue_from(std::string_view traceparent);

// The trace of the work this thread does now; nothing outside a request or a reaction.
const TraceContext* current();

// Makes a trace the thread's current one while it lives, then puts the one before back.
class Scope {
 public:
  explicit Scope(const TraceContext& context);
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  TraceContext context_;
  const TraceContext* previous_;
};

}  // namespace platform::trace
