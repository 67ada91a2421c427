#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <stdexcept>

#include "domain/kakao.hpp"
#include "domain/notification.hpp"
#include "domain/order_status.hpp"

namespace {

using customer::Effect;
using customer::OrderStatus;
using View = std::optional<OrderStatus>;

boost::json::object placed(std::int64_t order_id = 5) {
  auto body = boost::json::parse(R"({"eventType":"OrderPlaced","timestamp":100,"customerId":"customer1","storeId":1,
                                     "storeName":"교촌치킨 강남역점","totalPrice":23000,
                                     "items":[{"menuId":101,"name":"허니콤보","price":23000,"qty":1}],
                                     "address":"서울 강남구 테헤란로 152","lat":37.5,"lon":127.0,"status":"PLACED"})")
                  .as_object();
  body["orderId"] = order_id;
  return body;
}

boost::json::object event(std::int64_t timestamp, boost::json::object extra = {}) {
  extra["orderId"] = 5;
  extra["customerId"] = "customer1";
  extra["timestamp"] = timestamp;
  return extra;
}

View placed_view() {
  View view;
  EXPECT_EQ(customer::apply(view, "OrderPlaced", placed()), Effect::StatusChanged);
  return view;
}

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
  EXPECT_EQ(boost::json::parse(view->items).as_array().size(), 1u);
  ASSERT_EQ(view->timeline.size(), 1u);
  EXPECT_EQ(view->timeline[0].status, "PLACED");
  EXPECT_EQ(view->timeline[0].event_type, "OrderPlaced");
  EXPECT_EQ(view->timeline[0].at, 100);
}

// Each event alone after OrderPlaced: the status word and the payment word it leads to.
TEST(OrderStatusView, EveryEventMapsToItsWords) {
  struct Case {
    const char* event_type;
    const char* status;
    const char* payment_status;
    Effect effect;
  };
  const Case cases[] = {
      {"PaymentApproved", "PAID", "APPROVED", Effect::StatusChanged},
      {"PaymentFailed", "PAYMENT_FAILED", "FAILED", Effect::StatusChanged},
      {"OrderAccepted", "ACCEPTED", "", Effect::StatusChanged},
      {"OrderRejected", "REJECTED", "", Effect::StatusChanged},
      {"CookStarted", "COOKING", "", Effect::StatusChanged},
      {"CookFinished", "COOKED", "", Effect::StatusChanged},
      {"DeliveryAssigned", "RIDER_ASSIGNED", "", Effect::StatusChanged},
      {"Picked", "PICKED_UP", "", Effect::StatusChanged},
      {"DeliveryConfirmed", "DELIVERED", "", Effect::StatusChanged},
      {"OrderCanceled", "CANCELED", "", Effect::StatusChanged},
      {"PaymentCanceled", "PLACED", "CANCELED", Effect::StepAdded},
      {"PaymentSettled", "PLACED", "SETTLED", Effect::StepAdded},
  };
  for (const auto& c : cases) {
    auto view = placed_view();
    EXPECT_EQ(customer::apply(view, c.event_type, event(200)), c.effect) << c.event_type;
    EXPECT_EQ(view->status, c.status) << c.event_type;
    EXPECT_EQ(view->payment_status, c.payment_status) << c.event_type;
    ASSERT_EQ(view->timeline.size(), 2u) << c.event_type;
    EXPECT_EQ(view->timeline[1].event_type, c.event_type);
    EXPECT_EQ(view->timeline[1].status, c.status);
    EXPECT_EQ(view->timeline[1].payment_status, c.payment_status);
    EXPECT_EQ(view->timeline[1].at, 200);
  }
  EXPECT_EQ(customer::followed_events().size(), std::size(cases) + 1);
}

TEST(OrderStatusView, FollowsAWholeDeliveryWithATimeline) {
  auto view = placed_view();
  const char* steps[] = {"PaymentApproved", "OrderAccepted", "CookStarted",       "CookFinished",
                         "DeliveryAssigned", "Picked",       "DeliveryConfirmed", "PaymentSettled"};
  std::int64_t at = 100;
  for (const auto* type : steps) {
    boost::json::object extra;
    if (std::string_view(type) == "DeliveryAssigned" || std::string_view(type) == "Picked") extra["riderId"] = "rider1";
    EXPECT_NE(customer::apply(view, type, event(at += 10, extra)), Effect::Ignored) << type;
  }
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
  customer::apply(view, "PaymentApproved", event(110));
  EXPECT_EQ(customer::apply(view, "OrderRejected", event(120, {{"reason", "재료 소진"}})), Effect::StatusChanged);
  EXPECT_EQ(customer::apply(view, "PaymentCanceled", event(130, {{"amount", 23000}})), Effect::StepAdded);
  EXPECT_EQ(view->status, "REJECTED");
  EXPECT_EQ(view->payment_status, "CANCELED");
  EXPECT_EQ(view->timeline.size(), 4u);
}

TEST(OrderStatusView, AnEventBeforeItsOrderPlacedIsToBeTriedAgain) {
  View view;
  EXPECT_EQ(customer::apply(view, "PaymentApproved", event(100)), Effect::TooEarly);
  EXPECT_EQ(customer::apply(view, "PaymentSettled", event(100)), Effect::TooEarly);
  EXPECT_FALSE(view.has_value());
}

TEST(OrderStatusView, ALateStepIsRecordedButNeverMovesTheStatusBack) {
  auto view = placed_view();
  ASSERT_EQ(customer::apply(view, "OrderAccepted", event(120)), Effect::StatusChanged);
  // PaymentApproved was held by a killed instance and arrives after OrderAccepted.
  EXPECT_EQ(customer::apply(view, "PaymentApproved", event(110)), Effect::StepAdded);
  EXPECT_EQ(view->status, "ACCEPTED");
  EXPECT_EQ(view->payment_status, "APPROVED");
  EXPECT_EQ(view->timeline.size(), 3u);
}

TEST(OrderStatusView, AnEventSeenAgainAddsNoSecondStep) {
  auto view = placed_view();
  EXPECT_EQ(customer::apply(view, "OrderPlaced", placed()), Effect::Ignored);
  ASSERT_EQ(customer::apply(view, "PaymentApproved", event(110)), Effect::StatusChanged);
  EXPECT_EQ(customer::apply(view, "PaymentApproved", event(111)), Effect::Ignored);
  ASSERT_EQ(customer::apply(view, "PaymentCanceled", event(120)), Effect::StepAdded);
  EXPECT_EQ(customer::apply(view, "PaymentCanceled", event(121)), Effect::Ignored);
  EXPECT_EQ(view->timeline.size(), 3u);
  EXPECT_EQ(view->timeline[1].at, 110);
}

TEST(OrderStatusView, AFinalStatusStaysButPaymentNewsIsRecorded) {
  for (const auto* final_event : {"PaymentFailed", "OrderRejected", "OrderCanceled", "DeliveryConfirmed"}) {
    auto view = placed_view();
    customer::apply(view, final_event, event(110));
    auto status = view->status;
    EXPECT_EQ(customer::apply(view, "CookStarted", event(120)), Effect::Ignored) << final_event;
    EXPECT_EQ(customer::apply(view, "DeliveryAssigned", event(130, {{"riderId", "rider1"}})), Effect::Ignored)
        << final_event;
    EXPECT_EQ(view->status, status);
    EXPECT_EQ(view->rider_id, "");
    EXPECT_EQ(customer::apply(view, "PaymentSettled", event(140)), Effect::StepAdded) << final_event;
    EXPECT_EQ(view->status, status);
    EXPECT_EQ(view->timeline.size(), 3u);
  }
}

TEST(OrderStatusView, IgnoresEventsItDoesNotFollow) {
  auto view = placed_view();
  EXPECT_EQ(customer::apply(view, "StoreOpened", placed()), Effect::Ignored);
  EXPECT_EQ(customer::apply(view, "OrderReviewed", event(300, {{"rating", 5}})), Effect::Ignored);
  EXPECT_EQ(view->timeline.size(), 1u);
}

TEST(OrderStatusView, TakesTheStoreNameFromALaterEventWhenThePlacementHadNone) {
  auto body = placed();
  body.erase("storeName");
  View view;
  customer::apply(view, "OrderPlaced", body);
  EXPECT_EQ(view->store_name, "");
  customer::apply(view, "PaymentApproved", event(110));
  customer::apply(view, "OrderAccepted", event(120));
  customer::apply(view, "CookStarted", event(130));
  customer::apply(view, "CookFinished", event(140, {{"storeName", "교촌치킨 강남역점"}}));
  EXPECT_EQ(view->store_name, "교촌치킨 강남역점");
}

TEST(OrderStatusView, RefusesEventsMissingWhatItNeeds) {
  auto no_customer = placed();
  no_customer.erase("customerId");
  View view;
  EXPECT_THROW(customer::apply(view, "OrderPlaced", no_customer), std::invalid_argument);
  auto text_price = placed();
  text_price["totalPrice"] = "23000";
  EXPECT_THROW(customer::apply(view, "OrderPlaced", text_price), std::invalid_argument);
  EXPECT_FALSE(view.has_value());

  view = placed_view();
  EXPECT_THROW(customer::apply(view, "PaymentApproved", boost::json::object{{"orderId", 5}}), std::invalid_argument);
  EXPECT_EQ(view->status, "PLACED");
  EXPECT_EQ(view->timeline.size(), 1u);
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
  customer::apply(view, "PaymentApproved", event(110));
  customer::apply(view, "OrderAccepted", event(120));
  customer::apply(view, "CookStarted", event(130));
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
