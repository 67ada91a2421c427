// A whole platform (nats-server, the services, the nginx gateway) for one
// integration test, run through scripts/platform on free ports in a fresh
// temporary folder:
//
//   fd::test::TestPlatform platform;                 // started and healthy
//   http_get(platform.gateway_port(), "/orders");
//   platform.kill("payment");                        // crash drill (SIGKILL)
//   platform.start();                                // brings payment back
//
// Its profile is FD_PROFILE (embedded or cluster) and FD_REPLICAS, taken from
// extra_env, else from the test's own environment, else embedded with one
// process per service. In the cluster profile it also picks ports for
// postgres, for each replica: port("order-2"), kill("order-2"), and
// kill("order") kills every replica of order; and for the three NATS nodes
// nats-1 (the same as nats), nats-2 and nats-3: kill("nats-2"). Its bus is FD_BUS
// (nats, or kafka: the part kafka, a Kafka test broker of its own, instead of NATS),
// taken the same way; bus_url() says where the events are on either.
//
// Needs the compile definitions FD_SOURCE_DIR (the repository, for
// scripts/platform) and FD_BUILD_DIR (holding bin/fd-<service>), both string
// literals; tests/CMakeLists.txt provides them.
#pragma once

#include <initializer_list>
#include <map>
#include <string>
#include <vector>

namespace fd::test {

class TestPlatform {
public:
    // Picks free ports, creates /tmp/fd-test-XXXXXX/{data,run} and runs
    // `scripts/platform start`. extra_env (FD_* variables, for instance) is
    // added to the environment of the script and so of every service.
    // Throws std::runtime_error with the script's output if the start fails
    // (after stopping whatever did start).
    using Env = std::map<std::string, std::string>;
    explicit TestPlatform(Env extra_env = {});
    // So that TestPlatform p({{"FD_X", "1"}}) is not ambiguous.
    TestPlatform(std::initializer_list<Env::value_type> extra_env) : TestPlatform(Env(extra_env)) {}
    // Starts only the parts named, in this order (`scripts/platform start
    // <part>` each), e.g. {"postgres"}: for a test of one part alone.
    TestPlatform(Env extra_env, const std::vector<std::string>& parts);
    // `scripts/platform stop`, then removes the temporary folder unless the
    // environment has FD_KEEP_TEST_DATA=1 (its path is then printed).
    ~TestPlatform();

    TestPlatform(const TestPlatform&) = delete;
    TestPlatform& operator=(const TestPlatform&) = delete;

    int gateway_port() const { return port("gateway"); }
    std::string gateway_url() const; // "http://127.0.0.1:<gateway port>"
    // Port of "gateway", "nats", "nats-monitor", a service ("auth", "order",
    // "payment", "store", "customer", "rider": its first replica), and in the
    // cluster profile "postgres", each replica ("order-1", "order-2", ...) and
    // each NATS node's clients', monitoring and routes' ports ("nats-2",
    // "nats-monitor-2", "nats-cluster-2"; node 1's are those of "nats",
    // "nats-monitor" and "nats-cluster"); throws for an unknown part.
    int port(const std::string& part) const;
    // The NATS parts: {"nats"}, or in the cluster profile {"nats-1", "nats-2", "nats-3"}.
    std::vector<std::string> nats_nodes() const;
    // "nats://admin:<password>@127.0.0.1:<nats port>" (in the cluster profile one such URL
    // per node, comma-separated): the bus's admin identity, which may read the stream and
    // publish any event (a test that forges one). The passwords are those of
    // <data>/nats.secrets, which scripts/platform makes when nats first starts; throws
    // before that.
    std::string nats_url() const { return nats_url("admin"); }
    // The same as another bus identity ("viewer", "order", ...).
    std::string nats_url(const std::string& identity) const;
    std::string nats_password(const std::string& identity) const;
    // Where the events are, for platform::read_stream and the like: nats_url() on NATS,
    // kafka://<the test broker's bootstrap list> on Kafka (read anew: a restarted broker
    // listens on new ports).
    std::string bus_url() const;

    const std::string& bus() const { return bus_; } // "nats" or "kafka"

    const std::string& profile() const { return profile_; } // "embedded" or "cluster"
    int replicas() const { return replicas_; }               // processes per service

    // SIGKILL one part (postgres, nats, gateway, a replica, or a service: every
    // replica of it) and wait until it is gone.
    void kill(const std::string& part);
    // Start whatever is not running (or only the part named) and wait until it
    // is healthy.
    void start(const std::string& part = "");
    // Stop every part (the destructor does it too).
    void stop();

    // Content of <run>/logs/<part>.log ("" if none). The gateway's access log
    // is log("gateway.access").
    std::string log(const std::string& part) const;
    // The logs of every process of a service, one after another (each replica's in the
    // cluster profile).
    std::string service_log(const std::string& service) const;

    // The FD_* variables the platform runs with (folders, ports, profile, and
    // extra_env): what a tool that restarts its parts must be given too.
    const Env& env() const { return env_; }
    const std::string& root_dir() const { return root_; } // the temporary folder
    std::string data_dir() const { return root_ + "/data"; }
    std::string run_dir() const { return root_ + "/run"; }

    // Runs `scripts/platform <args...>` with this platform's environment
    // (overrides replacing some of its variables); returns the exit status (-1
    // if it could not run) and puts stdout+stderr into *output.
    int run_script(const std::string& command, const std::string& arg = "",
                   std::string* output = nullptr, const Env& overrides = {}) const;

private:
    void pick_ports();
    void start_parts(const std::vector<std::string>& parts);
    void run_or_throw(const std::string& command, const std::string& arg = "") const;

    std::string root_;
    std::string profile_;
    std::string bus_;
    int replicas_ = 1;
    std::map<std::string, int> ports_;
    Env env_; // our variables, added to environ
};

} // namespace fd::test
