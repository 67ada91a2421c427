// The bus's security on a platform as `make up` runs it: nats-server refuses anonymous
// clients and wrong passwords, each service's identity may publish only the events it
// produces and listen only to its own inbox and deliveries, the viewer publishes nothing,
// monitoring listens on loopback only, and a consumer refuses an event that says it is
// another than its subject's. Most checks speak NATS's text protocol over a socket, as an
// attacker on the machine would.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "contracts/codec.hpp"
#include "contracts/events.hpp"
#include "platform/bus_access.hpp"
#include "platform/clock.hpp"
#include "platform/json_text.hpp"
#include "platform/http_client.hpp"
#include "platform/jwt.hpp"
#include "platform/messaging.hpp"
#include "support/api.hpp"
#include "support/command.hpp"
#include "support/customer_and_owner.hpp"
#include "support/publish.hpp"
#include "support/stream_reader.hpp"

namespace {

using fd::test::Api;
using fd::test::eventually;
using namespace std::chrono_literals;

// A NATS client speaking the protocol by hand. Every exchange ends with a PING, so that what
// the server answered (an -ERR, or nothing) is known once its PONG arrives, or once it
// closed the connection.
class RawNats {
 public:
  explicit RawNats(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
      throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
    info_ = read_until("\r\n");
  }
  ~RawNats() { ::close(fd_); }

  const std::string& info() const { return info_; }

  // CONNECT (with a user and password when given), then PING.
  std::string login(const std::string& user = {}, const std::string& password = {}) {
    std::string connect = R"({"verbose":false,"pedantic":false,"headers":true)";
    if (!user.empty()) connect += R"(,"user":")" + user + R"(","pass":")" + password + R"(")";
    return exchange("CONNECT " + connect + "}\r\n");
  }

  std::string publish(const std::string& subject, const std::string& body) {
    return exchange("PUB " + subject + " " + std::to_string(body.size()) + "\r\n" + body + "\r\n");
  }

  // HPUB with a `type` header.
  std::string publish(const std::string& subject, const std::string& type, const std::string& body) {
    std::string headers = "NATS/1.0\r\ntype: " + type + "\r\nNats-Msg-Id: " + platform::new_id() + "\r\n\r\n";
    return exchange("HPUB " + subject + " " + std::to_string(headers.size()) + " " +
                    std::to_string(headers.size() + body.size()) + "\r\n" + headers + body + "\r\n");
  }

  std::string subscribe(const std::string& subject) { return exchange("SUB " + subject + " " + std::to_string(++sid_) + "\r\n"); }

 private:
  // Sends, then PING; returns everything the server said before its PONG (or before it
  // closed the connection, then ending in "<closed>").
  std::string exchange(const std::string& protocol) {
    std::string out = protocol + "PING\r\n";
    if (::send(fd_, out.data(), out.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(out.size())) return "<closed>";
    auto said = read_until("PONG\r\n");
    if (auto pong = said.rfind("PONG\r\n"); pong != std::string::npos) said.erase(pong);
    return said;
  }

  std::string read_until(const std::string& end) {
    std::string said;
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (said.find(end) == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return said + "<no answer>";
      pollfd ready{fd_, POLLIN, 0};
      if (::poll(&ready, 1, static_cast<int>(left.count())) <= 0) continue;
      char buffer[4096];
      auto n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) return said + "<closed>";
      said.append(buffer, static_cast<std::size_t>(n));
    }
    return said;
  }

  int fd_ = -1;
  int sid_ = 0;
  std::string info_;
};

const std::string kAuthorizationViolation = "-ERR 'Authorization Violation'";

std::string violation(const std::string& what, const std::string& subject) {
  return "-ERR 'Permissions Violation for " + what + " to \"" + subject + "\"'";
}

// The addresses (as /proc/net/tcp writes them: 0100007F is 127.0.0.1) listening on a port,
// over IPv4 and IPv6.
std::vector<std::string> listening_addresses(int port) {
  char wanted[8];
  std::snprintf(wanted, sizeof wanted, "%04X", port);
  std::vector<std::string> out;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // the header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state;
      fields >> slot >> local >> remote >> state;
      auto colon = local.rfind(':');
      if (state == "0A" && colon != std::string::npos && local.substr(colon + 1) == wanted)
        out.push_back(local.substr(0, colon));
    }
  }
  return out;
}

class BusSecurity : public fd::test::CustomerAndOwner {
 protected:
  int nats_port() const { return platform.port("nats"); }
  std::string password(const std::string& identity) const { return platform.nats_password(identity); }
  std::size_t stored() const { return platform::read_stream(platform.nats_url()).size(); }


  // A logout's TokenRevoked, as its producer would publish it, for the customer's token.
  boost::json::object revocation_of(const std::string& token) {
    std::ifstream in(platform.data_dir() + "/jwt.secret");
    std::string secret;
    in >> secret;
    auto claims = platform::verify_jwt(token, secret, platform::now_s(), 900);  // the platform's default lifetime
    contracts::TokenRevoked revoked;
    revoked.tokenId = claims.token_id;
    revoked.expiresAt = claims.expires_at;
    revoked.username = claims.subject;
    return contracts::codec::write_object(revoked);
  }

  // Logs customer2 out through auth, and waits until the order and customer services refuse
  // that token: every event published before the logout's has then reached them too.
  void after_a_real_logout() {
    Api other(platform.gateway_port());
    other.login("customer2");
    ASSERT_EQ(other.get("/orders").status, 200);
    ASSERT_EQ(other.call("POST", "/auth/logout").status, 204);
    ASSERT_TRUE(eventually([&] { return other.get("/orders").status == 401; }, 10s));
    ASSERT_TRUE(eventually([&] { return other.get("/orderStatuses").status == 401; }, 10s));
  }
};

TEST_F(BusSecurity, AnAnonymousClientIsRefused) {
  RawNats anonymous(nats_port());
  EXPECT_NE(anonymous.info().find("\"auth_required\":true"), std::string::npos) << anonymous.info();
  auto said = anonymous.login();
  EXPECT_NE(said.find(kAuthorizationViolation), std::string::npos) << said;
  EXPECT_NE(said.find("<closed>"), std::string::npos) << "the server must close the connection: " << said;
}

TEST_F(BusSecurity, AWrongPasswordIsRefused) {
  RawNats intruder(nats_port());
  auto said = intruder.login("order", password("order") + "x");
  EXPECT_NE(said.find(kAuthorizationViolation), std::string::npos) << said;
  RawNats unknown(nats_port());
  said = unknown.login("root", password("admin"));
  EXPECT_NE(said.find(kAuthorizationViolation), std::string::npos) << said;
}

TEST_F(BusSecurity, TheOrderServicesIdentityPublishesOnlyItsOwnEvents) {
  RawNats order(nats_port());
  ASSERT_EQ(order.login("order", password("order")), "");
  auto before = stored();

  const auto approved = platform::event_subject("fooddelivery.", "PaymentApproved");
  auto said = order.publish(approved, "PaymentApproved",
                            R"({"eventType":"PaymentApproved","orderId":1,"customerId":"customer1","amount":1})");
  EXPECT_NE(said.find(violation("Publish", approved)), std::string::npos) << said;
  // Another's events, its own to other services than react to it, and the stream's and
  // other consumers' controls.
  for (const auto& subject : {platform::event_subject("fooddelivery.", "TokenRevoked"),
                              platform::event_subject("fooddelivery.", "StoreOpened"),
                              std::string("fooddelivery.OrderPlaced"), std::string("fooddelivery.OrderPlaced._._._._._.rider"),
                              std::string("$JS.API.STREAM.DELETE.fooddelivery"),
                              std::string("$JS.API.CONSUMER.DELETE.fooddelivery.payment"),
                              std::string("$JS.ACK.fooddelivery.payment.1.1.1.1.1.0")}) {
    said = order.publish(subject, "{}");
    EXPECT_NE(said.find(violation("Publish", subject)), std::string::npos) << subject << ": " << said;
  }
  EXPECT_EQ(stored(), before) << "the stream must not gain a refused message";

  // Its own event's subject it may publish on (without a type header, every consumer drops it).
  EXPECT_EQ(order.publish(platform::event_subject("fooddelivery.", "OrderPlaced"), "{}"), "");
  EXPECT_TRUE(eventually([&] { return stored() == before + 1; }));
}

TEST_F(BusSecurity, TheOrderServicesIdentityListensOnlyToItsOwnInboxAndDeliveries) {
  RawNats order(nats_port());
  ASSERT_EQ(order.login("order", password("order")), "");
  for (const char* subject : {"fooddelivery.>", ">", "fooddelivery.PaymentApproved", "_INBOX.>", "_INBOX_payment.>",
                              "_DELIVER.fooddelivery.payment", "$JS.API.>"}) {
    auto said = order.subscribe(subject);
    EXPECT_NE(said.find(violation("Subscription", subject)), std::string::npos) << subject << ": " << said;
  }
  EXPECT_EQ(order.subscribe("_INBOX_order.test.*"), "");
  EXPECT_EQ(order.subscribe("_DELIVER.fooddelivery.order"), "");
}

TEST_F(BusSecurity, TheViewerReadsTheStreamAndPublishesNothing) {
  RawNats viewer(nats_port());
  ASSERT_EQ(viewer.login("viewer", password("viewer")), "");
  for (const auto& subject : {platform::event_subject("fooddelivery.", "TokenRevoked"),
                              platform::event_subject("fooddelivery.", "OrderPlaced"),
                              std::string("$JS.API.STREAM.DELETE.fooddelivery"),
                              std::string("$JS.API.CONSUMER.DELETE.fooddelivery.customer"),
                              std::string("$JS.API.CONSUMER.DURABLE.CREATE.fooddelivery.order")}) {
    auto said = viewer.publish(subject, "{}");
    EXPECT_NE(said.find(violation("Publish", subject)), std::string::npos) << subject << ": " << said;
  }
  auto said = viewer.subscribe("fooddelivery.>");
  EXPECT_NE(said.find(violation("Subscription", "fooddelivery.>")), std::string::npos) << said;

  // What `make events` runs: the events tool as the viewer, through scripts/platform run.
  auto events = platform::read_stream(platform.nats_url("viewer"));
  ASSERT_FALSE(events.empty()) << "the stores' StoreOpened events are there from the start";
  std::string env = "env";
  for (const auto& [variable, value] : platform.env()) env += " " + variable + "='" + value + "'";
  auto shown = fd::test::run_command(env + " bash " + FD_SOURCE_DIR + "/scripts/platform run viewer -- " + FD_BUILD_DIR +
                                     "/bin/fooddelivery events");
  EXPECT_EQ(shown.status, 0) << shown.output;
  EXPECT_NE(shown.output.find(R"("eventType":"StoreOpened")"), std::string::npos) << shown.output;

  auto refused = fd::test::run_command(std::string(FD_BUILD_DIR) + "/bin/fooddelivery events --nats nats://127.0.0.1:" +
                                       std::to_string(nats_port()));
  EXPECT_EQ(refused.status, 1) << refused.output;
  EXPECT_NE(refused.output.find("refuses anonymous connections"), std::string::npos) << refused.output;
}

TEST_F(BusSecurity, NatsAndItsMonitoringListenOnLoopbackOnly) {
  for (const char* part : {"nats", "nats-monitor"}) {
    auto addresses = listening_addresses(platform.port(part));
    EXPECT_EQ(addresses, std::vector<std::string>{"0100007F"}) << part << " must listen on 127.0.0.1 alone";
  }
  // And it answers there, for scripts/platform's health check and bench/profiles.
  platform::HttpClient monitor("127.0.0.1", static_cast<std::uint16_t>(platform.port("nats-monitor")));
  EXPECT_EQ(monitor.get("/healthz").status, 200);
}

// The finding: a TokenRevoked published by hand revoked a token in every service.
TEST_F(BusSecurity, AForgedTokenRevokedRevokesNothing) {
  const auto token = customer.token();
  ASSERT_EQ(customer.get("/orders").status, 200);
  const auto forged = platform::to_json(revocation_of(token));
  const auto before = stored();

  // Without credentials: refused at the door.
  RawNats anonymous(nats_port());
  EXPECT_NE(anonymous.login().find(kAuthorizationViolation), std::string::npos);
  const auto revoked = platform::event_subject("fooddelivery.", "TokenRevoked");
  EXPECT_EQ(anonymous.publish(revoked, "TokenRevoked", forged), "<closed>");
  // With a service's: TokenRevoked is auth's to publish.
  RawNats order(nats_port());
  ASSERT_EQ(order.login("order", password("order")), "");
  auto said = order.publish(revoked, "TokenRevoked", forged);
  EXPECT_NE(said.find(violation("Publish", revoked)), std::string::npos) << said;
  EXPECT_EQ(stored(), before);
  // On its own event's subject, saying it is a TokenRevoked: stored, and refused by every
  // consumer it reaches (their defence in depth).
  EXPECT_EQ(order.publish(platform::event_subject("fooddelivery.", "OrderPlaced"), "TokenRevoked", forged), "");
  EXPECT_TRUE(eventually([&] { return stored() == before + 1; }));

  after_a_real_logout();
  EXPECT_EQ(customer.get("/orders").status, 200) << "the order service applied a forged revocation";
  EXPECT_EQ(customer.get("/orderStatuses").status, 200) << "the customer service applied a forged revocation";
  // (The order service is not sent OrderPlaced at all: the subject names payment, store and customer.)
  // Waited for: stored is not yet delivered, and on the cluster a replica whose JetStream setup
  // timed out takes its deliveries a moment later.
  EXPECT_TRUE(eventually([&] { return platform.service_log("payment").find("event refused") != std::string::npos; }, 20s))
      << platform.service_log("payment");

  // The same body from auth's subject would have revoked it: the refusals above are what
  // kept the token alive (admin may publish anything; tests forge events with it).
  fd::test::publish_event(platform.nats_url(), "TokenRevoked", revocation_of(token));
  EXPECT_TRUE(eventually([&] { return customer.get("/orders").status == 401; }, 10s));
}

// Every service does all its work within what its identity may do: an order through the
// whole saga, a rejection's refund and a logout leave no permissions violation in nats's log.
TEST_F(BusSecurity, TheServicesDoTheirWholeWorkWithinTheirPermissions) {
  Api rider(platform.gateway_port());
  rider.login("rider1");
  ASSERT_EQ(rider.call("PUT", "/riders/me/location", R"({"lat":37.4985,"lon":127.0300})").status, 200);
  auto place = [&] {
    auto placed = customer.post("/orders", fd::test::order_request(1, 101, 1));
    EXPECT_EQ(placed.status, 201) << placed.raw;
    auto id = placed.status == 201 ? std::to_string(placed.body.at("orderId").as_int64()) : "0";
    EXPECT_TRUE(eventually([&] { return owner.get("/foodCookings/" + id).status == 200; }, 10s)) << "paid " << id;
    return id;
  };
  auto id = place();
  for (const char* step : {"accept", "start", "finish"})
    ASSERT_EQ(owner.call("PUT", "/foodCookings/" + id + "/" + step).status, 200) << step;
  ASSERT_TRUE(eventually([&] { return rider.call("PUT", "/deliveries/" + id + "/assign").status == 200; }, 10s));
  ASSERT_EQ(rider.call("PUT", "/deliveries/" + id + "/pick").status, 200);
  ASSERT_TRUE(eventually([&] { return customer.call("PUT", "/orders/" + id + "/deliveryconfirm").status == 200; }, 10s));
  auto rejected = place();
  ASSERT_EQ(owner.call("PUT", "/foodCookings/" + rejected + "/reject", R"({"reason":"재료 소진"})").status, 200);
  ASSERT_EQ(customer.call("POST", "/auth/logout").status, 204);

  for (const char* durable : {"auth", "order", "payment", "store", "customer", "rider"})
    EXPECT_TRUE(eventually([&] { return fd::test::consumer_caught_up(platform.nats_url(), durable); }, 10s)) << durable;
  for (const auto& node : platform.nats_nodes()) {
    auto log = platform.log(node);
    EXPECT_FALSE(log.empty()) << node;
    EXPECT_EQ(log.find("Violation"), std::string::npos) << node << ":\n" << log;
  }
  for (const char* service : {"auth", "order", "payment", "store", "customer", "rider"})
    EXPECT_EQ(platform.service_log(service).find("NATS asynchronous error"), std::string::npos) << platform.service_log(service);
}

// Refused credentials stop a service's start with the reason, and never show the password.
TEST_F(BusSecurity, AServiceWithAWrongPasswordSaysSoAndNeverShowsIt) {
  const std::string wrong = "not-" + password("order");
  auto started = fd::test::run_command(
      "cd " + platform.root_dir() + " && env FD_PORT=0 FD_DB_URL=sqlite:" + platform.root_dir() +
      "/intruder.db FD_JWT_SECRET=x FD_NATS_URL=nats://127.0.0.1:" + std::to_string(nats_port()) +
      " FD_NATS_USER=order FD_NATS_PASSWORD=" + wrong + " timeout 20 " + FD_BUILD_DIR + "/bin/fd-order");
  EXPECT_EQ(started.status, 1) << started.output;
  EXPECT_NE(started.output.find("refused the identity 'order'"), std::string::npos) << started.output;
  EXPECT_EQ(started.output.find(wrong), std::string::npos) << "the password is in the log: " << started.output;
}

}  // namespace
