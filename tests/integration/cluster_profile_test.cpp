// The cluster profile's own parts (scripts/platform with FD_PROFILE=cluster): the
// gateway's upstreams over every replica, passing on a request that reached no
// replica, and the PostgreSQL server with a database and a role per service, closed
// to the other services' roles. The services themselves on PostgreSQL are the other
// suites run in this profile.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "platform/http_client.hpp"
#include "platform/http_server.hpp"
#include "platform/process.hpp"
#include "platform/router.hpp"
#include "support/api.hpp"
#include "support/platform_fixture.hpp"
#include "support/scratch.hpp"

namespace {

using fd::test::read_file;

using fd::test::TestPlatform;

const std::vector<std::string> kServices = {"auth", "order", "payment", "store", "customer", "rider"};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }


std::vector<std::string> environment_with(const std::map<std::string, std::string>& vars) {
  std::vector<std::string> env;
  for (const auto& [name, value] : vars) env.push_back(name + "=" + value);
  env.push_back("PATH=/usr/sbin:/usr/bin:/sbin:/bin");
  return env;
}

// A port nothing listens on (bound, then closed): a replica whose process is gone.
int dead_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("cannot bind a port");
  ::close(fd);
  return ntohs(addr.sin_port);
}

// The servers of each upstream of a rendered nginx.conf: service -> "127.0.0.1:<port>"s.
std::map<std::string, std::vector<std::string>> upstream_servers(const std::string& conf) {
  std::map<std::string, std::vector<std::string>> servers;
  std::regex upstream(R"(upstream svc_([a-z0-9]+) \{([^}]*)\})");
  std::regex server(R"(server (\S+) max_fails=1 fail_timeout=\d+s;)");
  for (std::sregex_iterator u(conf.begin(), conf.end(), upstream), end; u != end; ++u) {
    auto body = (*u)[2].str();
    auto& list = servers[(*u)[1].str()];
    for (std::sregex_iterator s(body.begin(), body.end(), server); s != end; ++s) list.push_back((*s)[1].str());
  }
  return servers;
}

class ClusterRender : public ::testing::Test {
 protected:
  void SetUp() override {
    char folder[] = "/tmp/fd-render-XXXXXX";
    ASSERT_NE(::mkdtemp(folder), nullptr);
    dir_ = folder;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  // gateway/render with the ports 9101.. for the services and the extra variables.
  std::string render(std::map<std::string, std::string> vars) {
    vars["FD_GATEWAY_PORT"] = "9100";
    int port = 9101;
    for (const auto& s : kServices) {
      std::string var = "FD_" + s + "_PORT";
      for (auto& c : var) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      vars[var] = std::to_string(port++);
    }
    auto env = environment_with(vars);
    auto rendered = platform::run_process({"bash", std::string(FD_SOURCE_DIR) + "/gateway/render", dir_}, &env);
    EXPECT_EQ(rendered.status, 0) << rendered.output;
    auto checked = platform::run_process(
        {"nginx", "-t", "-q", "-p", dir_ + "/", "-c", dir_ + "/nginx.conf", "-e", dir_ + "/logs/check.log"}, &env);
    EXPECT_EQ(checked.status, 0) << checked.output;
    return read_file(dir_ + "/nginx.conf");
  }
  std::string dir_;
};

TEST_F(ClusterRender, EachUpstreamListsEveryReplicaOfItsService) {
  auto conf = render({{"FD_REPLICAS", "2"}, {"FD_ORDER_PORT_2", "9999"}});
  auto servers = upstream_servers(conf);
  ASSERT_EQ(servers.size(), kServices.size()) << conf;
  int port = 9101;
  for (const auto& s : kServices) {
    // Replica 2 on FD_<SERVICE>_PORT_2, else 100 above replica 1.
    auto second = s == "order" ? std::string("127.0.0.1:9999") : "127.0.0.1:" + std::to_string(port + 100);
    EXPECT_EQ(servers[s], (std::vector<std::string>{"127.0.0.1:" + std::to_string(port), second})) << s;
    ++port;
  }
  EXPECT_TRUE(contains(conf, "proxy_next_upstream error timeout;")) << conf;
  EXPECT_TRUE(contains(conf, "proxy_next_upstream_tries 2;")) << conf;
}

TEST_F(ClusterRender, OneProcessPerServiceIsOneServerPerUpstream) {
  auto servers = upstream_servers(render({}));
  ASSERT_EQ(servers.size(), kServices.size());
  for (const auto& s : kServices) EXPECT_EQ(servers[s].size(), 1u) << s;
}

// A stand-in replica answering GET and POST /fake with 200.
class FakeReplica {
 public:
  FakeReplica() {
    auto answer = [](platform::Request&) { return platform::json_response(200, boost::json::object{{"ok", true}}); };
    router_.add("GET", "/fake", answer);
    router_.add("POST", "/fake", answer);
    server_ = std::make_unique<platform::HttpServer>(router_, platform::ServerOptions{});
    thread_ = std::thread([this] { server_->run(); });
  }
  ~FakeReplica() {
    server_->stop();
    thread_.join();
  }
  int port() const { return server_->port(); }

 private:
  platform::Router router_;
  std::unique_ptr<platform::HttpServer> server_;
  std::thread thread_;
};

TEST(ClusterGateway, ARequestThatReachedNoReplicaIsPassedToAnother) {
  char folder[] = "/tmp/fd-routes-XXXXXX";
  ASSERT_NE(::mkdtemp(folder), nullptr);
  std::string routes = std::string(folder) + "/routes.tsv";
  std::ofstream(routes) << "/fake\tfake\n";
  FakeReplica alive;
  {
    // Replica 1 is gone (nothing listens on its port), replica 2 answers.
    TestPlatform platform({{"FD_PROFILE", "cluster"},
                           {"FD_GATEWAY_ROUTES", routes},
                           {"FD_FAKE_PORT", std::to_string(dead_port())},
                           {"FD_FAKE_PORT_2", std::to_string(alive.port())}},
                          std::vector<std::string>{"gateway"});
    platform::HttpClient client("127.0.0.1", static_cast<std::uint16_t>(platform.gateway_port()));
    for (int i = 0; i < 4; ++i) {
      // A POST too: it never reached the dead replica, so it is not a request sent twice.
      EXPECT_EQ(client.send("POST", "/fake", "{}", {{"Content-Type", "application/json"}}).status, 200) << i;
      EXPECT_EQ(client.get("/fake").status, 200) << i;
    }
    // The access log names both replicas for the request passed on ("up=<dead>, <alive>").
    EXPECT_TRUE(contains(platform.log("gateway.access"), ", 127.0.0.1:" + std::to_string(alive.port())))
        << platform.log("gateway.access");
  }
  std::filesystem::remove_all(folder);
}

// Every live process that works in PostgreSQL's data folder (a zombie is gone).
std::vector<int> postgres_processes(const std::string& data_dir) {
  std::vector<int> pids;
  auto folder = std::filesystem::weakly_canonical(data_dir + "/postgres");
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::error_code ec;
    auto cwd = std::filesystem::read_symlink(entry.path() / "cwd", ec);
    if (ec || cwd != folder) continue;
    auto stat = read_file(entry.path().string() + "/stat");
    auto state = stat.substr(stat.rfind(')') + 2, 1);
    if (state != "Z") pids.push_back(std::stoi(name));
  }
  return pids;
}

class ClusterPostgres : public ::testing::Test {
 protected:
  ClusterPostgres() : platform_({{"FD_PROFILE", "cluster"}}, std::vector<std::string>{"postgres"}) {}

  std::string password(const std::string& service) {
    std::istringstream secrets(read_file(platform_.data_dir() + "/postgres.secrets"));
    for (std::string line; std::getline(secrets, line);)
      if (line.rfind(service + "=", 0) == 0) return line.substr(service.size() + 1);
    ADD_FAILURE() << "no password for " << service;
    return "";
  }
  // psql as a role to a database over TCP; the result's output has the rows or the refusal.
  platform::ProcessResult psql(const std::string& role, const std::string& password, const std::string& database,
                               const std::string& sql) {
    auto env = environment_with({{"PGCONNECT_TIMEOUT", "5"}});
    auto url = "postgresql://" + role + ":" + password + "@127.0.0.1:" + std::to_string(platform_.port("postgres")) +
               "/" + database;
    return platform::run_process({"psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql, url}, &env);
  }
  std::string status() {
    std::string output;
    EXPECT_EQ(platform_.run_script("status", "", &output), 0) << output;
    return output;
  }

  TestPlatform platform_;
};

TEST_F(ClusterPostgres, EachServiceHasADatabaseThatOnlyItsOwnRoleReaches) {
  struct stat secrets {};
  ASSERT_EQ(::stat((platform_.data_dir() + "/postgres.secrets").c_str(), &secrets), 0);
  EXPECT_EQ(secrets.st_mode & 0777, 0600u);
  for (const auto& s : kServices) {
    auto own = psql(s, password(s), s, "SELECT current_user || '@' || current_database()");
    EXPECT_EQ(own.status, 0) << own.output;
    EXPECT_EQ(own.output, s + "@" + s + "\n");
    std::string url;
    EXPECT_EQ(platform_.run_script("db-url", s, &url), 0) << url;
    EXPECT_EQ(url, "postgresql://" + s + ":" + password(s) + "@127.0.0.1:" +
                       std::to_string(platform_.port("postgres")) + "/" + s + "\n");
  }
  auto foreign = psql("order", password("order"), "payment", "SELECT 1");
  EXPECT_NE(foreign.status, 0);
  EXPECT_TRUE(contains(foreign.output, "permission denied for database \"payment\"")) << foreign.output;
  auto maintenance = psql("order", password("order"), "postgres", "SELECT 1");
  EXPECT_NE(maintenance.status, 0) << maintenance.output;
  auto wrong = psql("order", password("payment"), "order", "SELECT 1");
  EXPECT_TRUE(contains(wrong.output, "password authentication failed")) << wrong.output;
  auto superuser = psql("postgres", "", "postgres", "SELECT 1");
  EXPECT_TRUE(contains(superuser.output, "pg_hba.conf rejects connection")) << superuser.output;

  EXPECT_TRUE(std::regex_search(status(), std::regex("(^|\n)postgres +running +pid [0-9]+ +port " +
                                                     std::to_string(platform_.port("postgres")))))
      << status();
}

TEST_F(ClusterPostgres, KilledItComesBackWithWhatWasCommittedAndStopLeavesNoProcess) {
  ASSERT_EQ(psql("order", password("order"), "order", "CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)").status,
            0);
  platform_.kill("postgres");
  EXPECT_TRUE(postgres_processes(platform_.data_dir()).empty());
  EXPECT_TRUE(std::regex_search(status(), std::regex("(^|\n)postgres +stopped"))) << status();

  platform_.start("postgres");  // replays the WAL
  auto kept = psql("order", password("order"), "order", "SELECT n FROM kept");
  EXPECT_EQ(kept.output, "7\n");
  // Started again, every role and database is still as it was made (idempotent).
  EXPECT_EQ(psql("payment", password("payment"), "payment", "SELECT 1").output, "1\n");

  platform_.stop();
  EXPECT_TRUE(postgres_processes(platform_.data_dir()).empty());
  EXPECT_TRUE(std::regex_search(status(), std::regex("(^|\n)postgres +stopped"))) << status();
}

// A part of the cluster profile that starts fast (nats: its three nodes) stands for all of it.
class ClusterProfile : public ::testing::Test {
 protected:
  ClusterProfile() : platform_({{"FD_PROFILE", "cluster"}}, std::vector<std::string>{"nats"}) {}
  TestPlatform platform_;
};

TEST_F(ClusterProfile, StatusListsEveryPartAndEveryReplicaWithItsPort) {
  std::string out;
  ASSERT_EQ(platform_.run_script("status", "", &out), 0) << out;
  for (const auto& [node, suffix] : {std::pair{"nats-1", ""}, {"nats-2", "-2"}, {"nats-3", "-3"}})
    EXPECT_TRUE(std::regex_search(
        out, std::regex(std::string("(^|\n)") + node + " +running +pid [0-9]+ +port " +
                        std::to_string(platform_.port(node)) + " monitor " +
                        std::to_string(platform_.port(std::string("nats-monitor") + suffix)) + " cluster " +
                        std::to_string(platform_.port(std::string("nats-cluster") + suffix)) + "\n")))
        << node << ":\n"
        << out;
  EXPECT_TRUE(std::regex_search(out, std::regex("(^|\n)postgres +stopped +port " +
                                                std::to_string(platform_.port("postgres")))))
      << out;
  for (const auto& s : kServices)
    for (const auto& replica : {s + "-1", s + "-2"})
      EXPECT_TRUE(std::regex_search(out, std::regex("\n" + replica + " +stopped +port " +
                                                    std::to_string(platform_.port(replica)) + "\n")))
          << replica << ":\n"
          << out;
}

// Go's collector would let nats-server's heap double before it runs (70 MB under the benchmark's
// load): each node runs with the soft limit scripts/platform gives it.
TEST_F(ClusterProfile, EachNatsNodeRunsUnderItsMemoryLimitOnHalfTheCores) {
  cpu_set_t cpus;
  ASSERT_EQ(sched_getaffinity(0, sizeof cpus, &cpus), 0);
  const auto procs = "GOMAXPROCS=" + std::to_string(std::max(1, CPU_COUNT(&cpus) / 2));
  std::string out;
  ASSERT_EQ(platform_.run_script("status", "", &out), 0) << out;
  for (const char* node : {"nats-1", "nats-2", "nats-3"}) {
    std::smatch pid;
    ASSERT_TRUE(std::regex_search(out, pid, std::regex(std::string("(^|\n)") + node + " +running +pid ([0-9]+)")))
        << node << ":\n"
        << out;
    auto environment = read_file("/proc/" + pid[2].str() + "/environ");
    EXPECT_TRUE(contains(environment, std::string("GOMEMLIMIT=28MiB") + '\0')) << node << " runs without its limit";
    EXPECT_TRUE(contains(environment, procs + '\0')) << node << " runs Go code on other than " << procs;
  }
}

TEST(NatsThreads, ANumberOfThreadsThatIsNoneIsRefusedBeforeAnythingStarts) {
  char folder[] = "/tmp/fd-nats-procs-XXXXXX";
  ASSERT_NE(::mkdtemp(folder), nullptr);
  for (const char* procs : {"0", "two", "-1"}) {
    auto env = environment_with({{"FD_NATS_PROCS", procs},
                                 {"FD_RUN_DIR", std::string(folder) + "/run"},
                                 {"FD_DATA_DIR", std::string(folder) + "/data"},
                                 {"FD_BUILD_DIR", FD_BUILD_DIR}});
    auto ran = platform::run_process({"bash", std::string(FD_SOURCE_DIR) + "/scripts/platform", "start"}, &env);
    EXPECT_NE(ran.status, 0) << procs;
    EXPECT_TRUE(contains(ran.output, std::string("FD_NATS_PROCS must be a number of threads from 1, not '") + procs))
        << ran.output;
    EXPECT_FALSE(contains(ran.output, "starting ")) << ran.output;
  }
  std::filesystem::remove_all(folder);
}

TEST_F(ClusterProfile, StartRefusesAnotherProfileWhileOneRuns) {
  std::string output;
  EXPECT_EQ(platform_.run_script("start", "", &output, {{"FD_PROFILE", "embedded"}}), 2);
  EXPECT_TRUE(contains(output, "the cluster profile (2 per service) runs")) << output;
  EXPECT_TRUE(contains(output, "stop it first")) << output;
  EXPECT_EQ(platform_.run_script("start", "", &output, {{"FD_REPLICAS", "3"}}), 2);
  EXPECT_TRUE(contains(output, "to start the cluster profile (3 per service)")) << output;
  ASSERT_EQ(platform_.run_script("status", "", &output), 0);
  EXPECT_TRUE(std::regex_search(output, std::regex("(^|\n)nats-1 +running"))) << output;
  EXPECT_TRUE(std::regex_search(output, std::regex("\nauth-1 +stopped"))) << output;

  // Once it is stopped, the other profile may start.
  platform_.stop();
  EXPECT_EQ(platform_.run_script("start", "nats", &output, {{"FD_PROFILE", "embedded"}, {"FD_REPLICAS", "1"}}), 0)
      << output;
  ASSERT_EQ(platform_.run_script("status", "", &output), 0);
  EXPECT_TRUE(std::regex_search(output, std::regex("\nauth +stopped"))) << output;
  EXPECT_TRUE(std::regex_search(output, std::regex("(^|\n)nats +running"))) << output;
  EXPECT_FALSE(contains(output, "postgres")) << output;
  EXPECT_FALSE(contains(output, "nats-1")) << output;
}

// What the routes' port answers one CONNECT: the server's first line after it.
std::string route_login(int port, const std::string& connect) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (fd >= 0) ::close(fd);
    return "cannot connect";
  }
  std::string received;
  auto read_line = [&] {
    char c;
    std::string line;
    while (::recv(fd, &c, 1, 0) == 1 && c != '\n') line += c;
    return line;
  };
  received = read_line();  // INFO {...}
  std::string request = "CONNECT " + connect + "\r\nPING\r\n";
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  received = read_line();
  ::close(fd);
  return received;
}

TEST_F(ClusterProfile, TheNodesRouteToEachOtherAndRefuseARouteWithoutTheirPassword) {
  // Every node has its two routes, which logged in with the route password.
  for (const auto& monitor : {"nats-monitor", "nats-monitor-2", "nats-monitor-3"}) {
    platform::HttpClient client("127.0.0.1", static_cast<std::uint16_t>(platform_.port(monitor)));
    std::size_t routes = 0;
    EXPECT_TRUE(fd::test::eventually([&] {
      auto reply = client.get("/routez");
      if (reply.status != 200) return false;
      routes = boost::json::parse(reply.body).at("num_routes").to_number<std::size_t>();
      return routes == 2;
    })) << monitor << " has " << routes << " routes";
  }
  const std::string wrong = R"({"user":"route","pass":"wrong","name":"intruder","cluster":"fooddelivery"})";
  const std::string anonymous = R"({"name":"intruder","cluster":"fooddelivery"})";
  for (const auto& connect : {wrong, anonymous}) {
    auto answer = route_login(platform_.port("nats-cluster-2"), connect);
    EXPECT_TRUE(contains(answer, "Authorization Violation")) << connect << " → " << answer;
  }
}

}  // namespace
