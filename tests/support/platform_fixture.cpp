#include "platform_fixture.hpp"

#include "platform/process.hpp"

#include <arpa/inet.h>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <netinet/in.h>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#ifndef FD_SOURCE_DIR
#error "FD_SOURCE_DIR (the repository folder, a string literal) must be defined"
#endif
#ifndef FD_BUILD_DIR
#error "FD_BUILD_DIR (the build folder holding bin/, a string literal) must be defined"
#endif

extern char** environ;

namespace fd::test {
namespace {

constexpr int kNatsNodes = 3; // the cluster profile's nats-server processes

const std::vector<std::string>& services() {
    static const std::vector<std::string> names = {"auth", "order", "payment", "store", "customer", "rider"};
    return names;
}

std::string upper(std::string text) {
    for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text;
}

// Every part that has a port in this profile, and the variable
// scripts/platform reads it from.
std::map<std::string, std::string> port_variables(const std::string& profile, int replicas) {
    std::map<std::string, std::string> vars = {
        {"gateway", "FD_GATEWAY_PORT"},
        {"nats", "FD_NATS_PORT"},
        {"nats-monitor", "FD_NATS_MONITOR_PORT"},
    };
    if (profile == "cluster") {
        vars["postgres"] = "FD_POSTGRES_PORT";
        vars["nats-cluster"] = "FD_NATS_CLUSTER_PORT";
        for (int k = 2; k <= kNatsNodes; ++k) {
            auto n = std::to_string(k);
            vars["nats-" + n] = "FD_NATS_PORT_" + n;
            vars["nats-monitor-" + n] = "FD_NATS_MONITOR_PORT_" + n;
            vars["nats-cluster-" + n] = "FD_NATS_CLUSTER_PORT_" + n;
        }
    }
    for (const auto& service : services()) {
        vars[service] = "FD_" + upper(service) + "_PORT";
        for (int k = 2; k <= replicas; ++k)
            vars[service + "-" + std::to_string(k)] = "FD_" + upper(service) + "_PORT_" + std::to_string(k);
    }
    return vars;
}

// A setting of the platform: extra_env's, else the test's environment's.
std::string setting(const TestPlatform::Env& env, const std::string& name, const std::string& fallback) {
    if (auto it = env.find(name); it != env.end()) return it->second;
    const char* value = std::getenv(name.c_str());
    return value != nullptr && *value != '\0' ? value : fallback;
}

std::string script_path() { return std::string(FD_SOURCE_DIR) + "/scripts/platform"; }

bool keep_data() {
    const char* v = std::getenv("FD_KEEP_TEST_DATA");
    return v != nullptr && std::string(v) == "1";
}

// Binds 127.0.0.1:0 and returns the socket (still open) and its port.
std::pair<int, int> bind_any_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        int e = errno;
        ::close(fd);
        throw std::runtime_error(std::string("bind 127.0.0.1:0: ") + std::strerror(e));
    }
    return {fd, ntohs(addr.sin_port)};
}

constexpr int kPortInUse = 2; // scripts/platform's exit status for a taken port

} // namespace

// (`scripts/platform start` with no part: all of them)
TestPlatform::TestPlatform(Env extra_env) : TestPlatform(std::move(extra_env), std::vector<std::string>{""}) {}

TestPlatform::TestPlatform(Env extra_env, const std::vector<std::string>& parts) {
    profile_ = setting(extra_env, "FD_PROFILE", "embedded");
    if (profile_ != "embedded" && profile_ != "cluster")
        throw std::invalid_argument("TestPlatform: FD_PROFILE must be embedded or cluster, not '" + profile_ + "'");
    bus_ = setting(extra_env, "FD_BUS", "nats");
    if (bus_ != "nats" && bus_ != "kafka")
        throw std::invalid_argument("TestPlatform: FD_BUS must be nats or kafka, not '" + bus_ + "'");
    auto replicas = setting(extra_env, "FD_REPLICAS", profile_ == "cluster" ? "2" : "1");
    try {
        replicas_ = std::stoi(replicas);
    } catch (const std::exception&) {
        throw std::invalid_argument("TestPlatform: FD_REPLICAS is not a number: '" + replicas + "'");
    }

    char tmpl[] = "/tmp/fd-test-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr)
        throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
    root_ = tmpl;
    std::filesystem::create_directories(data_dir());
    std::filesystem::create_directories(run_dir());

    env_ = std::move(extra_env);
    env_["FD_PROFILE"] = profile_;
    env_["FD_REPLICAS"] = std::to_string(replicas_);
    env_["FD_BUS"] = bus_;
    env_["FD_BUILD_DIR"] = FD_BUILD_DIR;
    env_["FD_DATA_DIR"] = data_dir();
    env_["FD_RUN_DIR"] = run_dir();
    start_parts(parts);
}

// A port picked here may be taken by someone else before the part binds it;
// the script then exits with kPortInUse, and new ports are tried on an empty
// data folder: what the failed start's services published went to a bus that
// may be gone (the Kafka test broker keeps nothing), and their outboxes would
// not publish it again.
void TestPlatform::start_parts(const std::vector<std::string>& parts) {
    std::string output;
    int status = -1;
    for (int attempt = 0; attempt < 3; ++attempt) {
        if (attempt > 0) {
            std::filesystem::remove_all(data_dir());
            std::filesystem::create_directories(data_dir());
        }
        pick_ports();
        status = 0;
        for (const auto& part : parts) {
            status = run_script("start", part, &output);
            if (status != 0) break;
        }
        if (status == 0) return;
        run_script("stop");
        if (status != kPortInUse) break;
    }
    if (!keep_data()) {
        std::error_code ec;
        std::filesystem::remove_all(root_, ec);
    }
    throw std::runtime_error("scripts/platform start failed (exit status " + std::to_string(status) +
                             ", folder " + root_ + "):\n" + output);
}

TestPlatform::~TestPlatform() {
    try {
        std::string output;
        int status = run_script("stop", "", &output);
        if (status != 0)
            std::cerr << "TestPlatform: scripts/platform stop failed (exit status " << status << "):\n"
                      << output << '\n';
        if (keep_data()) {
            std::cerr << "TestPlatform: kept " << root_ << " (FD_KEEP_TEST_DATA=1)\n";
        } else {
            std::error_code ec;
            std::filesystem::remove_all(root_, ec);
        }
    } catch (const std::exception& e) {
        std::cerr << "TestPlatform: cleaning up " << root_ << " failed: " << e.what() << '\n';
    }
}

void TestPlatform::pick_ports() {
    // Hold every socket until all are bound, so the ports are distinct.
    std::vector<int> fds;
    for (const auto& [part, var] : port_variables(profile_, replicas_)) {
        auto [fd, port] = bind_any_port();
        fds.push_back(fd);
        ports_[part] = port;
        env_[var] = std::to_string(port);
    }
    for (int fd : fds) ::close(fd);
    if (replicas_ > 1)
        for (const auto& service : services()) ports_[service + "-1"] = ports_[service];
    if (profile_ == "cluster") ports_["nats-1"] = ports_["nats"];
}

std::vector<std::string> TestPlatform::nats_nodes() const {
    if (profile_ != "cluster") return {"nats"};
    std::vector<std::string> nodes;
    for (int k = 1; k <= kNatsNodes; ++k) nodes.push_back("nats-" + std::to_string(k));
    return nodes;
}

std::string TestPlatform::gateway_url() const {
    return "http://127.0.0.1:" + std::to_string(gateway_port());
}

int TestPlatform::port(const std::string& part) const {
    auto it = ports_.find(part);
    if (it == ports_.end()) throw std::invalid_argument("TestPlatform: no port for part '" + part + "'");
    return it->second;
}

std::string TestPlatform::nats_url(const std::string& identity) const {
    std::string urls;
    for (const auto& node : nats_nodes()) {
        if (!urls.empty()) urls += ',';
        urls += "nats://" + identity + ":" + nats_password(identity) + "@127.0.0.1:" + std::to_string(port(node));
    }
    return urls;
}

std::string TestPlatform::nats_password(const std::string& identity) const {
    std::ifstream in(data_dir() + "/nats.secrets");
    for (std::string line; std::getline(in, line);)
        if (line.starts_with(identity + "=")) return line.substr(identity.size() + 1);
    throw std::runtime_error("TestPlatform: no password for the bus identity '" + identity + "' in " + data_dir() +
                             "/nats.secrets (nats has not started yet?)");
}

std::string TestPlatform::bus_url() const {
    if (bus_ != "kafka") return nats_url();
    if (auto own = env_.find("FD_BUS_URL"); own != env_.end()) return own->second; // a cluster of one's own
    std::ifstream in(run_dir() + "/kafka.bootstrap");
    std::string bootstrap;
    if (!std::getline(in, bootstrap) || bootstrap.empty())
        throw std::runtime_error("TestPlatform: no bootstrap list in " + run_dir() +
                                 "/kafka.bootstrap (the kafka part has not started?)");
    return "kafka://" + bootstrap;
}

void TestPlatform::kill(const std::string& part) { run_or_throw("kill", part); }
void TestPlatform::start(const std::string& part) { run_or_throw("start", part); }
void TestPlatform::stop() { run_or_throw("stop"); }

std::string TestPlatform::log(const std::string& part) const {
    if (part.find('/') != std::string::npos) throw std::invalid_argument("TestPlatform: bad part '" + part + "'");
    std::ifstream in(run_dir() + "/logs/" + part + ".log", std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::string TestPlatform::service_log(const std::string& service) const {
    if (replicas_ == 1) return log(service);
    std::string all;
    for (int k = 1; k <= replicas_; ++k) all += log(service + "-" + std::to_string(k));
    return all;
}

void TestPlatform::run_or_throw(const std::string& command, const std::string& arg) const {
    std::string output;
    int status = run_script(command, arg, &output);
    if (status != 0)
        throw std::runtime_error("scripts/platform " + command + (arg.empty() ? "" : " " + arg) +
                                 " failed (exit status " + std::to_string(status) + "):\n" + output);
}

int TestPlatform::run_script(const std::string& command, const std::string& arg, std::string* output,
                             const Env& overrides) const {
    // The environment: the overrides, ours, then everything inherited that we do not set.
    Env env = overrides;
    env.insert(env_.begin(), env_.end());
    std::vector<std::string> env_strings;
    for (const auto& [name, value] : env) env_strings.push_back(name + "=" + value);
    for (char** e = environ; *e != nullptr; ++e) {
        std::string entry = *e;
        if (!env.contains(entry.substr(0, entry.find('=')))) env_strings.push_back(std::move(entry));
    }
    std::vector<std::string> argv{"bash", script_path(), command};
    if (!arg.empty()) argv.push_back(arg);
    auto ran = platform::run_process(argv, &env_strings);
    if (output) *output = std::move(ran.output);
    return ran.status;
}

} // namespace fd::test
