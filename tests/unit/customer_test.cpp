#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <functional>

#include "domain/kakao.hpp"
#include "domain/notification.hpp"
#include "domain/order_owners.hpp"
#include "domain/order_status.hpp"
#include "platform/event.hpp"

namespace {

using customer::Effect;
using customer::OrderStatus;
using View = std::optional<OrderStatus>;

contracts::OrderPlaced placed(std::int64_t order_id = 5) {
  return {order_id, "customer1", 1, "교촌치킨 강남역점", {{101, "허니콤보", 23000, 1}}, 23000, "서울 강남구 테헤란로 152",
          37.5,     127.0};
}

View placed_view() {
  View view;
  EXPECT_EQ(customer::apply(view, placed(), 100), Effect::StatusChanged);
  return view;
}

// The events after OrderPlaced, as their producers send them for order 5.
const contracts::PaymentApproved approved{5, "customer1", 23000};
const contracts::PaymentFailed failed{5, "customer1", 23000, "limit"};
const contracts::PaymentCanceled refunded{5, "customer1", 23000};
const contracts::PaymentSettled settled{5, "customer1", 23000};
const contracts::OrderAccepted accepted{5, "customer1", 1};
const contracts::OrderRejected rejected{5, "customer1", 1, "재료 소진"};
const contracts::CookStarted cooking{5, "customer1", 1};
const contracts::CookFinished cooked{5, "customer1", 1, "교촌치킨 강남역점", 37.49, 127.02, "서울", 37.5, 127.0};
const contracts::OrderCanceled canceled{5, "customer1", 1, true};
const contracts::DeliveryAssigned assigned{5, "customer1", "rider1", 1};
const contracts::Picked picked{5, "customer1", "rider1"};
const contracts::DeliveryConfirmed delivered{5, "customer1", 1, "rider1"};

// ---- the projection -------------------------------------------------------------------

TEST(OrderStatusView, OrderPlacedCreatesTheViewWithItsFirstStep) {
  auto view = placed_view();
  ASSERT_TRUE(view);
  EXPECT_EQ(view->order_id, 5);
  EXPECT_EQ(view->customer, "customer1");
  EXPECT_EQ(view->store_id, 1);
  EXPECT_EQ(view->store_name, "교촌치킨 강남역점");
  EXPECT_EQ(view->status, "PLACED");
  EXPECT_EQ(view->payment_status, "");
  EXPECT_EQ(view->total_price, 23000);
  EXPECT_EQ(boost::json::parse(view->items),
            boost::json::parse(R"([{"menuId":101,"name":"허니콤보","price":23000,"qty":1}])"));
  ASSERT_EQ(view->timeline.size(), 1u);
  EXPECT_EQ(view->timeline[0].status, "PLACED");
  EXPECT_EQ(view->timeline[0].event_type, "OrderPlaced");
  EXPECT_EQ(view->timeline[0].at, 100);
}

// Each event alone after OrderPlaced: the status word and the payment word it leads to.
TEST(OrderStatusView, EveryEventMapsToItsWords) {
  struct Case {
    std::function<Effect(View&)> apply;
    const char* event_type;
    const char* status;
    const char* payment_status;
    Effect effect;
  };
  auto at_200 = [](const auto& event) { return [event](View& view) { return customer::apply(view, event, 200); }; };
  const Case cases[] = {
      {at_200(approved), "PaymentApproved", "PAID", "APPROVED", Effect::StatusChanged},
      {at_200(failed), "PaymentFailed", "PAYMENT_FAILED", "FAILED", Effect::StatusChanged},
      {at_200(accepted), "OrderAccepted", "ACCEPTED", "", Effect::StatusChanged},
      {at_200(rejected), "OrderRejected", "REJECTED", "", Effect::StatusChanged},
      {at_200(cooking), "CookStarted", "COOKING", "", Effect::StatusChanged},
      {at_200(cooked), "CookFinished", "COOKED", "", Effect::StatusChanged},
      {at_200(assigned), "DeliveryAssigned", "RIDER_ASSIGNED", "", Effect::StatusChanged},
      {at_200(picked), "Picked", "PICKED_UP", "", Effect::StatusChanged},
      {at_200(delivered), "DeliveryConfirmed", "DELIVERED", "", Effect::StatusChanged},
      {at_200(canceled), "OrderCanceled", "CANCELED", "", Effect::StatusChanged},
      {at_200(refunded), "PaymentCanceled", "PLACED", "CANCELED", Effect::StepAdded},
      {at_200(settled), "PaymentSettled", "PLACED", "SETTLED", Effect::StepAdded},
  };
  for (const auto& c : cases) {
    auto view = placed_view();
    EXPECT_EQ(c.apply(view), c.effect) << c.event_type;
    EXPECT_EQ(view->status, c.status) << c.event_type;
    EXPECT_EQ(view->payment_status, c.payment_status) << c.event_type;
    ASSERT_EQ(view->timeline.size(), 2u) << c.event_type;
    EXPECT_EQ(view->timeline[1].event_type, c.event_type);
    EXPECT_EQ(view->timeline[1].status, c.status);
    EXPECT_EQ(view->timeline[1].payment_status, c.payment_status);
    EXPECT_EQ(view->timeline[1].at, 200);
  }
}

TEST(OrderStatusView, FollowsAWholeDeliveryWithATimeline) {
  auto view = placed_view();
  EXPECT_EQ(customer::apply(view, approved, 110), Effect::StatusChanged);
  EXPECT_EQ(customer::apply(view, accepted, 120), Effect::StatusChanged);
  EXPECT_EQ(customer::apply(view, cooking, 130), Effect::StatusChanged);
  EXPECT_EQ(customer::apply(view, cooked, 140), Effect::StatusChanged);
  EXPECT_EQ(customer::apply(view, assigned, 150), Effect::StatusChanged);
  EXPECT_EQ(customer::apply(view, picked, 160), Effect::StatusChanged);
  EXPECT_EQ(customer::apply(view, delivered, 170), Effect::StatusChanged);
  EXPECT_EQ(customer::apply(view, settled, 180), Effect::StepAdded);
  EXPECT_EQ(view->status, "DELIVERED");
  EXPECT_EQ(view->payment_status, "SETTLED");
  EXPECT_EQ(view->rider_id, "rider1");
  ASSERT_EQ(view->timeline.size(), 9u);
  std::vector<std::string> statuses;
  for (const auto& step : view->timeline) statuses.push_back(step.status);
  EXPECT_EQ(statuses, (std::vector<std::string>{"PLACED", "PAID", "ACCEPTED", "COOKING", "COOKED", "RIDER_ASSIGNED",
                                                "PICKED_UP", "DELIVERED", "DELIVERED"}));
  EXPECT_EQ(view->timeline.back().at, 180);
}

TEST(OrderStatusView, ARejectionIsRefundedWithoutAnotherStatus) {
  auto view = placed_view();
  customer::apply(view, approved, 110);
  EXPECT_EQ(customer::apply(view, rejected, 120), Effect::StatusChanged);
  EXPECT_EQ(customer::apply(view, refunded, 130), Effect::StepAdded);
  EXPECT_EQ(view->status, "REJECTED");
  EXPECT_EQ(view->payment_status, "CANCELED");
  EXPECT_EQ(view->timeline.size(), 4u);
}

// Payment heard of the cancel before the order: it was never charged, and says so with a
// PaymentCanceled of amount 0 once OrderPlaced reaches it, before or after the view's OrderCanceled.
TEST(OrderStatusView, AnOrderCanceledBeforeItWasChargedShowsItsPaymentCanceled) {
  const contracts::PaymentCanceled never_charged{5, "customer1", 0};
  auto cancel_first = placed_view();
  EXPECT_EQ(customer::apply(cancel_first, canceled, 110), Effect::StatusChanged);
  EXPECT_EQ(customer::apply(cancel_first, never_charged, 120), Effect::StepAdded);
  auto payment_first = placed_view();
  EXPECT_EQ(customer::apply(payment_first, never_charged, 110), Effect::StepAdded);
  EXPECT_EQ(customer::apply(payment_first, canceled, 120), Effect::StatusChanged);
  for (const auto& view : {cancel_first, payment_first}) {
    EXPECT_EQ(view->status, "CANCELED");
    EXPECT_EQ(view->payment_status, "CANCELED");
    EXPECT_EQ(view->timeline.size(), 3u);
  }
}

TEST(OrderStatusView, AnEventBeforeItsOrderPlacedIsToBeTriedAgain) {
  View view;
  EXPECT_THROW(customer::apply(view, approved, 100), platform::TooEarly);
  EXPECT_THROW(customer::apply(view, settled, 100), platform::TooEarly);
  EXPECT_FALSE(view.has_value());
}

TEST(OrderStatusView, ALateStepIsRecordedButNeverMovesTheStatusBack) {
  auto view = placed_view();
  ASSERT_EQ(customer::apply(view, accepted, 120), Effect::StatusChanged);
  // PaymentApproved was held by a killed instance and arrives after OrderAccepted.
  EXPECT_EQ(customer::apply(view, approved, 110), Effect::StepAdded);
  EXPECT_EQ(view->status, "ACCEPTED");
  EXPECT_EQ(view->payment_status, "APPROVED");
  EXPECT_EQ(view->timeline.size(), 3u);
}

TEST(OrderStatusView, AnEventSeenAgainAddsNoSecondStep) {
  auto view = placed_view();
  EXPECT_EQ(customer::apply(view, placed(), 101), Effect::Ignored);
  ASSERT_EQ(customer::apply(view, approved, 110), Effect::StatusChanged);
  EXPECT_EQ(customer::apply(view, approved, 111), Effect::Ignored);
  ASSERT_EQ(customer::apply(view, refunded, 120), Effect::StepAdded);
  EXPECT_EQ(customer::apply(view, refunded, 121), Effect::Ignored);
  EXPECT_EQ(view->timeline.size(), 3u);
  EXPECT_EQ(view->timeline[0].at, 100);
  EXPECT_EQ(view->timeline[1].at, 110);
}

TEST(OrderStatusView, AFinalStatusStaysButPaymentNewsIsRecorded) {
  const std::function<void(View&)> finals[] = {
      [](View& v) { customer::apply(v, failed, 110); }, [](View& v) { customer::apply(v, rejected, 110); },
      [](View& v) { customer::apply(v, canceled, 110); }, [](View& v) { customer::apply(v, delivered, 110); }};
  for (const auto& final_event : finals) {
    auto view = placed_view();
    final_event(view);
    auto status = view->status;
    auto rider = view->rider_id;
    EXPECT_EQ(customer::apply(view, cooking, 120), Effect::Ignored) << status;
    EXPECT_EQ(customer::apply(view, contracts::DeliveryAssigned{5, "customer1", "rider2", 1}, 130), Effect::Ignored)
        << status;
    EXPECT_EQ(view->status, status);
    EXPECT_EQ(view->rider_id, rider);
    EXPECT_EQ(customer::apply(view, settled, 140), Effect::StepAdded) << status;
    EXPECT_EQ(view->status, status);
    EXPECT_EQ(view->timeline.size(), 3u);
  }
}

TEST(OrderStatusView, TakesTheStoreNameFromALaterEventWhenThePlacementHadNone) {
  auto nameless = placed();
  nameless.storeName.clear();
  View view;
  customer::apply(view, nameless, 100);
  EXPECT_EQ(view->store_name, "");
  customer::apply(view, approved, 110);
  customer::apply(view, accepted, 120);
  customer::apply(view, cooking, 130);
  customer::apply(view, cooked, 140);
  EXPECT_EQ(view->store_name, "교촌치킨 강남역점");
}

TEST(OrderStatusView, TheRiderIsKnownFromTheDeliveryConfirmedWhenItNamesOne) {
  auto view = placed_view();
  customer::apply(view, contracts::DeliveryConfirmed{5, "customer1", 1, std::nullopt}, 110);
  EXPECT_EQ(view->rider_id, "");
  view = placed_view();
  customer::apply(view, delivered, 110);
  EXPECT_EQ(view->rider_id, "rider1");
}

// The view of order 5 with a rider on the way.
View assigned_view() {
  auto view = placed_view();
  for (auto step : {customer::apply(view, approved, 110), customer::apply(view, accepted, 120),
                    customer::apply(view, cooking, 130), customer::apply(view, cooked, 140),
                    customer::apply(view, assigned, 150)})
    EXPECT_EQ(step, Effect::StatusChanged);
  return view;
}

const contracts::RiderPositionReported at_store{5, "customer1", "rider1", 37.4979, 127.0276};
const contracts::RiderPositionReported near_home{5, "customer1", "rider1", 37.5001, 127.0350};

TEST(OrderStatusView, ShowsTheRidersNewestPositionWhileOnTheWayWithoutAStep) {
  auto view = assigned_view();
  EXPECT_FALSE(view->rider_position);
  EXPECT_EQ(customer::apply(view, at_store, 160), Effect::RiderMoved);
  ASSERT_TRUE(view->rider_position);
  EXPECT_DOUBLE_EQ(view->rider_position->lat, 37.4979);
  EXPECT_DOUBLE_EQ(view->rider_position->lon, 127.0276);
  EXPECT_EQ(view->rider_position->reported_at, 160);
  ASSERT_EQ(customer::apply(view, picked, 170), Effect::StatusChanged);
  EXPECT_TRUE(view->rider_position);  // picked up: still on the way
  EXPECT_EQ(customer::apply(view, near_home, 180), Effect::RiderMoved);
  EXPECT_DOUBLE_EQ(view->rider_position->lat, 37.5001);
  EXPECT_EQ(view->rider_position->reported_at, 180);
  // A position is no step of the order's life, and tells the customer nothing on KakaoTalk.
  EXPECT_EQ(view->timeline.size(), 7u);
  EXPECT_EQ(view->timeline.back().event_type, "Picked");
  EXPECT_EQ(view->status, "PICKED_UP");
}

TEST(OrderStatusView, AnOlderPositionDeliveredAgainDoesNotMoveTheRiderBack) {
  auto view = assigned_view();
  ASSERT_EQ(customer::apply(view, near_home, 180), Effect::RiderMoved);
  EXPECT_EQ(customer::apply(view, at_store, 160), Effect::Ignored);
  EXPECT_EQ(customer::apply(view, near_home, 180), Effect::Ignored);
  EXPECT_DOUBLE_EQ(view->rider_position->lat, 37.5001);
  EXPECT_EQ(view->rider_position->reported_at, 180);
}

TEST(OrderStatusView, TheRidersPositionIsGoneOnceDeliveredAndNotBeforeTheRiderIsAssigned) {
  auto view = assigned_view();
  customer::apply(view, at_store, 160);
  customer::apply(view, picked, 170);
  ASSERT_EQ(customer::apply(view, delivered, 190), Effect::StatusChanged);
  EXPECT_FALSE(view->rider_position);
  EXPECT_EQ(customer::apply(view, near_home, 200), Effect::Ignored);  // came after the end
  EXPECT_FALSE(view->rider_position);

  // Before its order or its rider is known in the view: to be tried again.
  View none;
  EXPECT_THROW(customer::apply(none, at_store, 160), platform::TooEarly);
  auto cooking_view = placed_view();
  customer::apply(cooking_view, cooked, 140);
  EXPECT_THROW(customer::apply(cooking_view, at_store, 160), platform::TooEarly);
  EXPECT_FALSE(cooking_view->rider_position);
}

// ---- the messages ---------------------------------------------------------------------

TEST(Notification, EveryStatusHasItsKoreanLabel) {
  const std::pair<const char*, const char*> labels[] = {
      {"PLACED", "주문됨"},      {"PAID", "결제됨"},          {"PAYMENT_FAILED", "결제실패"}, {"ACCEPTED", "접수됨"},
      {"REJECTED", "거절됨"},    {"COOKING", "조리시작"},     {"COOKED", "조리완료"},         {"RIDER_ASSIGNED", "배달배정"},
      {"PICKED_UP", "픽업"},     {"DELIVERED", "배달완료"},   {"CANCELED", "취소됨"},
  };
  for (const auto& [status, label] : labels) EXPECT_EQ(customer::korean_label(status), label) << status;
  EXPECT_EQ(customer::korean_label("APPROVED"), "");
}

TEST(Notification, TextNamesTheOrderTheStoreAndTheStatus) {
  auto view = placed_view();
  customer::apply(view, approved, 110);
  customer::apply(view, accepted, 120);
  customer::apply(view, cooking, 130);
  view->order_id = 12;
  EXPECT_EQ(customer::message_text(*view), "[음식배달] 주문 12 교촌치킨 강남역점: 조리시작");
  view->store_name.clear();
  EXPECT_EQ(customer::message_text(*view), "[음식배달] 주문 12: 조리시작");
}

TEST(Notification, RetriesBackOffFromHalfASecondToAMinute) {
  using std::chrono::milliseconds;
  EXPECT_EQ(customer::retry_delay(1), milliseconds(500));
  EXPECT_EQ(customer::retry_delay(2), milliseconds(1000));
  EXPECT_EQ(customer::retry_delay(3), milliseconds(2000));
  EXPECT_EQ(customer::retry_delay(8), milliseconds(60000));
  EXPECT_EQ(customer::retry_delay(1'000'000), milliseconds(60000));
}

TEST(Notification, IsQueuedDueAtOnceAndWaitsLongerAfterEachFailure) {
  auto view = placed_view();
  auto message = customer::Notification::announcing(3, *view, 1000);
  EXPECT_EQ(message.id, 3);
  EXPECT_EQ(message.status, "PLACED");
  EXPECT_EQ(message.customer, "customer1");
  EXPECT_EQ(message.text, "[음식배달] 주문 5 교촌치킨 강남역점: 주문됨");
  EXPECT_EQ(message.state, "PENDING");
  EXPECT_EQ(message.next_attempt_at, 1000);

  message.sending();
  EXPECT_EQ(message.state, "SENDING");
  message.failed("Kakao answered HTTP 500: " + std::string(1000, 'x'), 2000);
  EXPECT_EQ(message.state, "PENDING") << "a refused attempt is tried again";
  EXPECT_EQ(message.attempts, 1);
  EXPECT_EQ(message.last_error.size(), 500u);
  EXPECT_EQ(message.next_attempt_at, 2500);
  message.sending();
  message.failed("again", 3000);
  EXPECT_EQ(message.next_attempt_at, 4000);
  EXPECT_EQ(message.state, "PENDING");

  message.sending();
  message.delivered(customer::delivery_state::Sent, 5000);
  EXPECT_EQ(message.state, "SENT");
  EXPECT_EQ(message.attempts, 3);
  EXPECT_EQ(message.last_error, "");
  EXPECT_EQ(message.sent_at, 5000);
}

TEST(Notification, ARecordedMessageWasNeverSent) {
  auto message = customer::Notification::announcing(1, *placed_view(), 1000);
  message.delivered(customer::delivery_state::Recorded, 2000);
  EXPECT_EQ(message.state, "RECORDED");
  EXPECT_FALSE(message.sent_at.has_value());
}

// ---- Kakao's wire format --------------------------------------------------------------

std::string form_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i] == '+' ? ' ' : text[i];
    }
  }
  return out;
}

TEST(KakaoMessage, FormEncodingKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(customer::kakao::form_encode("a-b_c.d~e"), "a-b_c.d~e");
  EXPECT_EQ(customer::kakao::form_encode("a b&c=d+/"), "a%20b%26c%3Dd%2B%2F");
  EXPECT_EQ(customer::kakao::form_encode("조"), "%EC%A1%B0");
}

TEST(KakaoMessage, TheFormCarriesTheDefaultTextTemplate) {
  auto form = customer::kakao::text_message_form("[음식배달] 주문 12: 조리시작 & more", "http://x/orderStatuses/12");
  ASSERT_EQ(form.rfind("template_object=", 0), 0u);
  EXPECT_EQ(form.find_first_of(" &{\"", 16), std::string::npos) << form;
  auto object = boost::json::parse(form_decode(form.substr(16))).as_object();
  EXPECT_EQ(object.at("object_type").as_string(), "text");
  EXPECT_EQ(object.at("text").as_string(), "[음식배달] 주문 12: 조리시작 & more");
  EXPECT_EQ(object.at("link").at("web_url").as_string(), "http://x/orderStatuses/12");
  EXPECT_EQ(object.at("link").at("mobile_web_url").as_string(), "http://x/orderStatuses/12");
}

TEST(KakaoMessage, OnlyResultCodeZeroIsSuccess) {
  EXPECT_EQ(customer::kakao::refusal(200, R"({"result_code":0})"), "");
  EXPECT_NE(customer::kakao::refusal(200, R"({"result_code":-401})").find("-401"), std::string::npos);
  EXPECT_NE(customer::kakao::refusal(401, R"({"msg":"this access token does not exist","code":-401})").find("401"),
            std::string::npos);
  EXPECT_NE(customer::kakao::refusal(200, "<html>"), "");
  EXPECT_NE(customer::kakao::refusal(200, "{}"), "");
}

}  // namespace

// --- The estimated arrival (issue 16) ---
namespace {

constexpr std::int64_t kMinute = 60'000;

TEST(EstimatedArrival, FollowsTheCookingTimeThenTheRideAndEndsWithTheOrder) {
  auto view = placed_view();
  EXPECT_EQ(view->estimated_arrival, 0);
  customer::apply(view, approved, 1000);
  EXPECT_EQ(view->estimated_arrival, 0);  // no estimate before the store accepts
  customer::apply(view, contracts::OrderAccepted{5, "customer1", 1, 30}, 2000);
  EXPECT_EQ(view->estimated_arrival, 2000 + (30 + customer::kPickupMinutes + customer::kRideAllowanceMinutes) * kMinute);
  customer::apply(view, cooking, 3000);
  // About 2.1 km from the store to the customer: 9 minutes at 250 m a minute.
  customer::apply(view, cooked, 4000);
  EXPECT_EQ(view->ride_minutes, 9);
  EXPECT_EQ(view->estimated_arrival, 4000 + (customer::kPickupMinutes + 9) * kMinute);
  customer::apply(view, assigned, 5000);
  customer::apply(view, picked, 6000);
  EXPECT_EQ(view->estimated_arrival, 6000 + 9 * kMinute);
  customer::apply(view, delivered, 7000);
  EXPECT_EQ(view->estimated_arrival, 0);
}

TEST(EstimatedArrival, AnAcceptWithoutACookingTimeAssumesTheDefaultAndALateStepMovesNothing) {
  auto view = placed_view();
  customer::apply(view, approved, 1000);
  customer::apply(view, cooking, 3000);  // overtook its OrderAccepted
  customer::apply(view, accepted, 2000);
  EXPECT_EQ(view->estimated_arrival, 0);
  View other = placed_view();
  customer::apply(other, approved, 1000);
  customer::apply(other, accepted, 2000);
  EXPECT_EQ(other->estimated_arrival,
            2000 + (contracts::kDefaultCookingMinutes + customer::kPickupMinutes + customer::kRideAllowanceMinutes) *
                       kMinute);
}

// The newest orders' customers are kept, the oldest noted forgotten first, and an order noted
// again (its OrderPlaced delivered twice) is neither kept twice nor made newer.
TEST(RecentOrderOwners, KeepsTheNewestOrdersAndForgetsTheOldestFirst) {
  customer::RecentOrderOwners owners(2);
  owners.note("1", "customer1");
  owners.note("2", "customer2");
  owners.note("1", "customer1");
  EXPECT_EQ(owners.size(), 2u);
  owners.note("3", "customer3");
  EXPECT_EQ(owners.size(), 2u);
  EXPECT_EQ(owners.of("1"), std::nullopt);
  EXPECT_EQ(owners.of("2"), "customer2");
  EXPECT_EQ(owners.of("3"), "customer3");
  EXPECT_EQ(owners.of("4"), std::nullopt);
  for (int order = 4; order < 1000; ++order) owners.note(std::to_string(order), "customer1");
  EXPECT_EQ(owners.size(), 2u);
  EXPECT_EQ(owners.of("999"), "customer1");
}

}  // namespace
