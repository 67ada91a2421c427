#pragma once
// KakaoTalk notifications (R10) as rules: one message per order status change, in the
// customer's words, and how patiently a failed delivery is retried. No I/O here.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/order_status.hpp"

namespace customer {

namespace delivery_state {
inline constexpr const char* Pending = "PENDING";    // not delivered yet, or failed and waiting to retry
inline constexpr const char* Sent = "SENT";          // Kakao accepted it
inline constexpr const char* Recorded = "RECORDED";  // kept here only: no Kakao token is configured
// An attempt under way. A stop in the middle of it (a crash between Kakao's answer and our
// record of it) leaves it in doubt: Kakao may have shown it, and Kakao cannot be asked, so the
// sender that leads next marks it UNCONFIRMED and never sends it again. A customer reading
// "결제됨" twice is worse than one message missing, which the order's page still shows.
inline constexpr const char* Sending = "SENDING";
inline constexpr const char* Unconfirmed = "UNCONFIRMED";
}  // namespace delivery_state

// The Korean label of an order status word (PLACED → 주문됨); empty for an unknown word.
std::string_view korean_label(std::string_view status);

// The message for the view's current status, e.g. "[음식배달] 주문 12 교촌치킨 강남역점: 조리시작".
std::string message_text(const OrderStatus& view);

// How long to wait after the n-th failed attempt: 0.5 s, doubling, at most 60 s.
std::chrono::milliseconds retry_delay(std::int64_t failed_attempts);

// One message announcing one order status, from queued to delivered.
struct Notification {
  std::int64_t id = 0;
  std::int64_t order_id = 0;
  std::string status;  // the order status it announces
  std::string customer;
  std::string text;
  std::string state = delivery_state::Pending;
  std::int64_t attempts = 0;
  std::string last_error;  // why the last attempt failed; empty once delivered
  std::int64_t created_at = 0;
  std::optional<std::int64_t> sent_at;  // when Kakao accepted it
  std::int64_t next_attempt_at = 0;

  // The message announcing the view's current status, due at once.
  static Notification announcing(std::int64_t id, const OrderStatus& view, std::int64_t now_ms);
  // An attempt starts; recorded before Kakao is called.
  void sending() { state = delivery_state::Sending; }
  // An attempt recorded as starting was never made (its sender stopped first): it waits as before.
  void called_off() { state = delivery_state::Pending; }
  // An attempt reached `state` (delivery_state::Sent or Recorded).
  void delivered(std::string_view state, std::int64_t now_ms);
  // An attempt failed: the message waits retry_delay(attempts) for the next one.
  void failed(std::string_view error, std::int64_t now_ms);
};

}  // namespace customer
