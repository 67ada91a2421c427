#include "domain/notification.hpp"

#include <algorithm>

#include "contracts/events.hpp"

namespace customer {

namespace {

struct Label {
  const char* status;
  const char* korean;
};

constexpr Label kLabels[] = {
    {contracts::order_status::Placed, "주문됨"},
    {contracts::order_status::Paid, "결제됨"},
    {contracts::order_status::PaymentFailed, "결제실패"},
    {contracts::order_status::Accepted, "접수됨"},
    {contracts::order_status::Rejected, "거절됨"},
    {contracts::order_status::Cooking, "조리시작"},
    {contracts::order_status::Cooked, "조리완료"},
    {contracts::order_status::RiderAssigned, "배달배정"},
    {contracts::order_status::PickedUp, "픽업"},
    {contracts::order_status::Delivered, "배달완료"},
    {contracts::order_status::Canceled, "취소됨"},
};

constexpr auto kFirstRetry = std::chrono::milliseconds(500);
constexpr auto kLongestRetry = std::chrono::milliseconds(60'000);
constexpr std::size_t kErrorLength = 500;

}  // namespace

std::string_view korean_label(std::string_view status) {
  auto* found =
      std::find_if(std::begin(kLabels), std::end(kLabels), [&](const Label& label) { return status == label.status; });
  return found == std::end(kLabels) ? std::string_view() : std::string_view(found->korean);
}

std::string message_text(const OrderStatus& view) {
  std::string text = "[음식배달] 주문 " + std::to_string(view.order_id);
  if (!view.store_name.empty()) text += " " + view.store_name;
  auto label = korean_label(view.status);
  text += ": ";
  text += label.empty() ? std::string_view(view.status) : label;
  return text;
}

std::chrono::milliseconds retry_delay(std::int64_t failed_attempts) {
  auto delay = kFirstRetry;
  for (std::int64_t i = 1; i < failed_attempts && delay < kLongestRetry; ++i) delay *= 2;
  return std::min(delay, kLongestRetry);
}

Notification Notification::announcing(std::int64_t id, const OrderStatus& view, std::int64_t now_ms) {
  return {.id = id,
          .order_id = view.order_id,
          .status = view.status,
          .customer = view.customer,
          .text = message_text(view),
          .created_at = now_ms,
          .next_attempt_at = now_ms};
}

void Notification::delivered(std::string_view reached, std::int64_t now_ms) {
  state = reached;
  ++attempts;
  last_error.clear();
  if (state == delivery_state::Sent) sent_at = now_ms;
}

void Notification::failed(std::string_view error, std::int64_t now_ms) {
  state = delivery_state::Pending;
  ++attempts;
  last_error = error.substr(0, kErrorLength);
  next_attempt_at = now_ms + retry_delay(attempts).count();
}

}  // namespace customer
