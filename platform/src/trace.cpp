#include "platform/trace.hpp"

#include <algorithm>
#include <cstdint>
#include <random>

namespace platform::trace {

namespace {

thread_local const TraceContext* current_context = nullptr;

bool lower_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool all_zeros(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c == '0'; });
}

template <std::size_t N>
void random_hex(std::array<char, N>& out) {
  // One generator per thread, seeded once: ids are unique enough, and no lock is taken.
  thread_local std::mt19937_64 generator{std::random_device{}()};
  static constexpr char kDigits[] = "0123456789abcdef";
  do {
    for (std::size_t i = 0; i < N; i += 16) {
      auto bits = generator();
      for (std::size_t j = i; j < std::min(N, i + 16); ++j, bits >>= 4) out[j] = kDigits[bits & 0xf];
    }
  } while (all_zeros({out.data(), N}));
}

}  // namespace

std::string TraceContext::traceparent() const {
  std::string out = "00-";
  out.reserve(55);
  out.append(trace_id.data(), trace_id.size());
  out += '-';
  out.append(span_id.data(), span_id.size());
  out += '-';
  out.append(flags.data(), flags.size());
  return out;
}

TraceContext TraceContext::child() const {
  TraceContext next = *this;
  random_hex(next.span_id);
  return next;
}

std::optional<TraceContext> parse(std::string_view text) {
  // version "-" trace-id "-" parent-id "-" trace-flags: 2 + 1 + 32 + 1 + 16 + 1 + 2
  constexpr std::size_t kLength = 55;
  if (text.size() < kLength) return std::nullopt;
  auto version = text.substr(0, 2), trace_id = text.substr(3, 32), span_id = text.substr(36, 16),
       flags = text.substr(53, 2);
  if (!lower_hex(version) || version == "ff") return std::nullopt;
  if (text.size() > kLength && (version == "00" || text[kLength] != '-')) return std::nullopt;
  if (text[2] != '-' || text[35] != '-' || text[52] != '-') return std::nullopt;
  if (!lower_hex(trace_id) || all_zeros(trace_id) || !lower_hex(span_id) || all_zeros(span_id) || !lower_hex(flags))
    return std::nullopt;
  TraceContext context;
  std::copy(trace_id.begin(), trace_id.end(), context.trace_id.begin());
  std::copy(span_id.begin(), span_id.end(), context.span_id.begin());
  std::copy(flags.begin(), flags.end(), context.flags.begin());
  return context;
}

TraceContext start() {
  TraceContext context;
  random_hex(context.trace_id);
  random_hex(context.span_id);
  return context;
}

TraceContext continue_from(std::string_view traceparent) {
  auto parent = parse(traceparent);
  return parent ? parent->child() : start();
}

const TraceContext* current() { return current_context; }

Scope::Scope(const TraceContext& context) : context_(context), previous_(current_context) {
  current_context = &context_;
}

Scope::~Scope() { current_context = previous_; }

}  // namespace platform::trace
