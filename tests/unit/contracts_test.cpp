// The contract between services (contracts/events.hpp): its JSON mapping, and the two other
// places that describe it to people — the README's event table and the web app's saga
// page (web/src/saga.ts) — which must say what the contract says.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "contracts/codec.hpp"
#include "contracts/events.hpp"
#include "platform/event.hpp"

namespace {

std::string read_source(const std::string& path) {
  std::ifstream in(std::string(FD_SOURCE_DIR) + "/" + path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::set<std::string> words(const std::string& list, const std::regex& separator) {
  std::set<std::string> out;
  for (std::sregex_token_iterator it(list.begin(), list.end(), separator, -1), end; it != end; ++it)
    if (!it->str().empty()) out.insert(it->str());
  return out;
}

std::set<std::string> consumers_of(const contracts::EventInfo& contract) {
  if (contract.consumers == "*") return {"every service"};
  return words(std::string(contract.consumers), std::regex(" "));
}

const contracts::EventInfo* contract_of(const std::string& type) {
  for (const auto& contract : contracts::kCatalogue)
    if (contract.type == type) return &contract;
  return nullptr;
}

template <class... Events>
void expect_round_trips(contracts::EventList<Events...>) {
  (
      [] {
        Events original{};
        auto body = contracts::to_body(original);
        EXPECT_EQ(body.contains("status"), !Events::status.empty()) << Events::type;
        auto again = contracts::to_body(contracts::from_body<Events>(body));
        EXPECT_EQ(boost::json::serialize(again), boost::json::serialize(body)) << Events::type;
      }(),
      ...);
}

TEST(Contracts, EveryEventRoundTripsThroughItsBody) { expect_round_trips(contracts::AllEvents{}); }

// The tools that look at every service's consumer (chaos, lag) take the list of services:
// every producer and consumer of the catalogue is on it, and nothing else.
TEST(Contracts, TheServicesAreThoseThatProduceAndConsumeEvents) {
  std::set<std::string> named;
  for (const auto& event : contracts::kCatalogue) {
    named.insert(std::string(event.producer));
    std::istringstream consumers{std::string(event.consumers)};
    for (std::string consumer; consumers >> consumer;)
      if (consumer != "*") named.insert(consumer);
  }
  EXPECT_EQ(named, std::set<std::string>(contracts::kServices.begin(), contracts::kServices.end()));
}

TEST(Contracts, ABodyIsWrittenWithTheSeedsKeysAndTheStatusItMovesTo) {
  auto events = platform::events(contracts::DeliveryConfirmed{7, "customer1", 1, std::nullopt},
                                 contracts::OrderRejected{8, "customer2", 2, "재료 소진"});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, "DeliveryConfirmed");
  EXPECT_EQ(boost::json::serialize(events[0].body),
            R"({"orderId":7,"customerId":"customer1","storeId":1,"status":"DELIVERED"})");  // no riderId: unknown
  EXPECT_EQ(events[1].body.at("reason").as_string(), "재료 소진");
  EXPECT_EQ(events[1].body.at("status").as_string(), "REJECTED");
}

TEST(Contracts, ATokenRevokedFromBeforeLoginsHadIdsIsStillRead) {
  auto old = boost::json::parse(
                 R"({"eventType":"TokenRevoked","timestamp":1700000000000,"tokenId":"t-1","expiresAt":1700000900,"username":"customer1"})")
                 .as_object();
  auto revoked = contracts::from_body<contracts::TokenRevoked>(old);
  EXPECT_EQ(revoked.tokenId, "t-1");
  EXPECT_EQ(revoked.sessionId, std::nullopt);
  auto of_a_login = contracts::to_body(contracts::TokenRevoked{std::nullopt, 1700000900, "customer1", "s-1"});
  EXPECT_EQ(boost::json::serialize(of_a_login), R"({"expiresAt":1700000900,"username":"customer1","sessionId":"s-1"})");
}

TEST(Contracts, ABodyNotMatchingItsTypeIsUnreadableAndSaysWhere) {
  auto body = contracts::to_body(contracts::OrderPlaced{1, "customer1", 1, "교촌치킨", {{101, "허니콤보", 23000, 1}}, 23000,
                                                        "서울", 37.5, 127.0});
  body["eventType"] = "OrderPlaced";  // keys the type does not name are ignored
  body["timestamp"] = 1700000000000;
  EXPECT_EQ(contracts::from_body<contracts::OrderPlaced>(body).items.at(0).name, "허니콤보");

  auto without_price = body;
  without_price.erase("totalPrice");
  EXPECT_THROW(
      {
        try {
          contracts::from_body<contracts::OrderPlaced>(without_price);
        } catch (const contracts::UnreadableEvent& error) {
          EXPECT_STREQ(error.what(), "OrderPlaced.totalPrice is missing");
          throw;
        }
      },
      contracts::UnreadableEvent);
  auto bad_item = body;
  bad_item["items"].as_array()[0].as_object()["qty"] = "two";
  try {
    contracts::from_body<contracts::OrderPlaced>(bad_item);
    ADD_FAILURE() << "a text qty was read";
  } catch (const contracts::UnreadableEvent& error) {
    EXPECT_STREQ(error.what(), "OrderPlaced.items[0].qty must be an integer");
  }
}

TEST(Contracts, TheReadmeEventTableSaysWhatTheContractSays) {
  auto readme = read_source("README.md");
  const std::string header = "| event | published by | consumed by |";
  auto start = readme.find(header);
  ASSERT_NE(start, std::string::npos) << "README has no event table headed " << header;
  readme = readme.substr(start, readme.find("\n\n", start) - start);
  std::regex row(R"(\n\| `(\w+)` \| ([^|]+) \| ([^|]+) \|)");
  std::map<std::string, std::pair<std::string, std::set<std::string>>> table;
  for (std::sregex_iterator it(readme.begin(), readme.end(), row), end; it != end; ++it)
    table[(*it)[1]] = {std::regex_replace((*it)[2].str(), std::regex(R"(^\s+|\s+$)"), ""),
                       words((*it)[3].str(), std::regex(R"(\s*,\s*|^\s+|\s+$)"))};
  for (const auto& contract : contracts::kCatalogue) {
    auto found = table.find(std::string(contract.type));
    ASSERT_NE(found, table.end()) << "README's event table has no row for " << contract.type;
    EXPECT_EQ(found->second.first, contract.producer) << contract.type << ": published by";
    EXPECT_EQ(found->second.second, consumers_of(contract)) << contract.type << ": consumed by";
    table.erase(found);
  }
  for (const auto& [type, ignored] : table) ADD_FAILURE() << "README's event table has " << type << ", no contract";
}

TEST(Contracts, TheWebAppsSagaSaysWhatTheContractSays) {
  auto saga = read_source("web/src/saga.ts");
  std::regex entry(R"(\{ event: '(\w+)', producer: '(\w+)', consumers: \[([^\]]*)\])");
  std::set<std::string> shown;
  for (std::sregex_iterator it(saga.begin(), saga.end(), entry), end; it != end; ++it) {
    std::string type = (*it)[1];
    const auto* contract = contract_of(type);
    ASSERT_NE(contract, nullptr) << "saga.ts shows " << type << ", which no contract has";
    EXPECT_EQ((*it)[2].str(), contract->producer) << type;
    EXPECT_EQ(words((*it)[3].str(), std::regex(R"([\s',]+)")), consumers_of(*contract)) << type;
    shown.insert(type);
  }
  // The saga page follows one order; these are about stores and accounts.
  for (const auto& contract : contracts::kCatalogue) {
    if (contract.type != "StoreOpened" && contract.type != "StoreChanged" && contract.type != "TokenRevoked") {
      EXPECT_TRUE(shown.contains(std::string(contract.type))) << "saga.ts does not show " << contract.type;
    }
  }
}

TEST(Contracts, TheLifecycleRanksEveryStepAndPutsTheEndsPastThem) {
  using namespace contracts::order_status;
  EXPECT_LT(rank(Placed), rank(Paid));
  EXPECT_LT(rank(Cooked), rank(RiderAssigned));
  EXPECT_LT(rank(PickedUp), rank(Delivered));
  EXPECT_GT(rank(Canceled), rank(Delivered));
  EXPECT_EQ(rank(Rejected), rank(PaymentFailed));
  EXPECT_TRUE(is_final(Delivered));
  EXPECT_FALSE(is_final(Cooking));
}

}  // namespace

namespace {

// Every `path` and `Suite.Name` the README's requirement map names must exist.
TEST(Contracts, TheRequirementMapNamesFilesAndTestsThatExist) {
  auto readme = read_source("README.md");
  auto start = readme.find("| # | what | decided in | proven by |");
  ASSERT_NE(start, std::string::npos) << "README has no requirement map";
  auto map = readme.substr(start, readme.find("\n\n", start) - start);
  std::string tests;
  for (const auto* folder : {"tests/unit", "tests/integration"})
    for (const auto& entry : std::filesystem::directory_iterator(std::string(FD_SOURCE_DIR) + "/" + folder))
      tests += read_source(std::string(folder) + "/" + entry.path().filename().string());
  std::set<std::string> rows;
  std::regex row(R"(\n\| ([RC]\d+) \|[^|]*\| ([^|]*) \| ([^|]*) \|)");
  for (std::sregex_iterator it(map.begin(), map.end(), row), end; it != end; ++it) {
    rows.insert((*it)[1]);
    std::string files = (*it)[2], proofs = (*it)[3];
    std::regex path(R"(`([\w./-]+\.\w+)`)"), test(R"(`(\w+)\.(\w+)`)");
    int named = 0;
    for (std::sregex_iterator f(files.begin(), files.end(), path), none; f != none; ++f, ++named)
      EXPECT_TRUE(std::filesystem::exists(std::string(FD_SOURCE_DIR) + "/" + (*f)[1].str()))
          << (*it)[1] << " names " << (*f)[1] << ", which does not exist";
    EXPECT_GT(named, 0) << (*it)[1] << " names no file";
    named = 0;
    for (std::sregex_iterator t(proofs.begin(), proofs.end(), test), none; t != none; ++t, ++named) {
      std::regex declared("TEST(_F|_P)?\\(" + (*t)[1].str() + ",\\s*" + (*t)[2].str() + "\\)");
      EXPECT_TRUE(std::regex_search(tests, declared)) << (*it)[1] << " names the test " << (*t)[0] << ", which does not exist";
    }
    EXPECT_GT(named, 0) << (*it)[1] << " names no test";
  }
  for (int i = 1; i <= 13; ++i) EXPECT_TRUE(rows.contains("R" + std::to_string(i))) << "R" << i << " is not mapped";
  for (int i = 1; i <= 6; ++i) EXPECT_TRUE(rows.contains("C" + std::to_string(i))) << "C" << i << " is not mapped";
}

}  // namespace
