// Idempotent placing's pure rules: which keys are keys, when two bodies are one request,
// and what a repeated key gets.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <functional>

#include "domain/idempotency.hpp"
#include "platform/problem.hpp"
#include "problem_status.hpp"

namespace {

std::string canonical(std::string_view json) {
  return order::canonical_text(order::parse_place_order(boost::json::parse(json).as_object()));
}

std::string problem_detail(const std::function<void()>& action) {
  try {
    action();
  } catch (const platform::Problem& problem) {
    return problem.detail;
  }
  return {};
}

TEST(IdempotencyKey, IsOneTo255VisibleAsciiCharacters) {
  for (const auto& key : {std::string("a"), std::string("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"),
                          std::string("!~\"'<>{}"), std::string(255, 'k')})
    EXPECT_EQ(problem_status([&] { order::check_idempotency_key(key); }), 0) << key;
  for (const auto& key : {std::string(), std::string(256, 'k'), std::string("two words"), std::string("tab\there"),
                          std::string("line\nbreak"), std::string("\x7f"), std::string("주문-1")}) {
    EXPECT_EQ(problem_status([&] { order::check_idempotency_key(key); }), 400) << key;
    EXPECT_NE(problem_detail([&] { order::check_idempotency_key(key); }).find("Idempotency-Key"), std::string::npos);
  }
}

TEST(IdempotencyKey, OneOrderWrittenTwoWaysIsOneRequest) {
  auto first = canonical(R"({"storeId":1,"items":[{"menuId":101,"qty":2},{"menuId":104,"qty":1}],
                             "address":"서울 강남구 테헤란로 152","lat":37.5,"lon":127.0364})");
  // Fields in another order, other whitespace, another spelling of the same numbers, the
  // lines in another order.
  auto same = canonical(R"({ "lon" : 127.03640, "lat":3.75e1, "address":"서울 강남구 테헤란로 152",
                             "items":[ {"qty":1,"menuId":104}, {"menuId":101,"qty":2} ], "storeId":1 })");
  EXPECT_EQ(first, same);
}

TEST(IdempotencyKey, AnyChangeToTheOrderIsAnotherRequest) {
  const order::PlaceOrder command{1, {{101, 2}, {104, 1}}, "서울 강남구 테헤란로 152", 37.5, 127.0364};
  auto changed = [&](const std::function<void(order::PlaceOrder&)>& change) {
    auto copy = command;
    change(copy);
    return order::canonical_text(copy);
  };
  auto first = order::canonical_text(command);
  EXPECT_NE(changed([](auto& c) { c.store_id = 2; }), first);
  EXPECT_NE(changed([](auto& c) { c.items[0].second = 3; }), first);
  EXPECT_NE(changed([](auto& c) { c.items.pop_back(); }), first);
  EXPECT_NE(changed([](auto& c) { c.items[1].first = 105; }), first);
  EXPECT_NE(changed([](auto& c) { c.address += " 2층"; }), first);
  EXPECT_NE(changed([](auto& c) { c.lat = 37.5001; }), first);
  EXPECT_NE(changed([](auto& c) { c.lon = 127.0365; }), first);
}

TEST(IdempotencyKey, TheSameRequestGetsTheFirstAnswerAndAnotherIsRefusedWith422) {
  order::KeyUse first{"k-1", "hash-a", 42, R"({"orderId":42})"};
  auto again = order::repeat(first, "hash-a");
  EXPECT_EQ(again.order_id, 42);
  EXPECT_EQ(again.answer, R"({"orderId":42})");
  EXPECT_EQ(problem_status([&] { order::repeat(first, "hash-b"); }), 422);
  auto detail = problem_detail([&] { order::repeat(first, "hash-b"); });
  EXPECT_NE(detail.find("k-1"), std::string::npos) << detail;
  EXPECT_NE(detail.find("new key"), std::string::npos) << detail;
}

}  // namespace
