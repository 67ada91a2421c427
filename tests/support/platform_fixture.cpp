#include "platform_fixture.hpp"

#include "platform/process.hpp"

#include <arpa/inet.h>
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

// Every part that has a port, and the variable scripts/platform reads it from.
const std::map<std::string, std::string>& port_variables() {
    static const std::map<std::string, std::string> vars = {
        {"gateway", "FD_GATEWAY_PORT"},   {"nats", "FD_NATS_PORT"},
        {"nats-monitor", "FD_NATS_MONITOR_PORT"},
        {"auth", "FD_AUTH_PORT"},         {"order", "FD_ORDER_PORT"},
        {"payment", "FD_PAYMENT_PORT"},   {"store", "FD_STORE_PORT"},
        {"customer", "FD_CUSTOMER_PORT"}, {"rider", "FD_RIDER_PORT"},
    };
    return vars;
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

TestPlatform::TestPlatform(Env extra_env) {
    char tmpl[] = "/tmp/fd-test-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr)
        throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
    root_ = tmpl;
    std::filesystem::create_directories(data_dir());
    std::filesystem::create_directories(run_dir());

    env_ = std::move(extra_env);
    env_["FD_BUILD_DIR"] = FD_BUILD_DIR;
    env_["FD_DATA_DIR"] = data_dir();
    env_["FD_RUN_DIR"] = run_dir();

    // A port picked here may be taken by someone else before the part binds
    // it; the script then exits with kPortInUse, and new ports are tried.
    std::string output;
    int status = -1;
    for (int attempt = 0; attempt < 3; ++attempt) {
        pick_ports();
        status = run_script("start", "", &output);
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
    for (const auto& [part, var] : port_variables()) {
        auto [fd, port] = bind_any_port();
        fds.push_back(fd);
        ports_[part] = port;
        env_[var] = std::to_string(port);
    }
    for (int fd : fds) ::close(fd);
}

std::string TestPlatform::gateway_url() const {
    return "http://127.0.0.1:" + std::to_string(gateway_port());
}

int TestPlatform::port(const std::string& part) const {
    auto it = ports_.find(part);
    if (it == ports_.end()) throw std::invalid_argument("TestPlatform: no port for part '" + part + "'");
    return it->second;
}

std::string TestPlatform::nats_url() const { return "nats://127.0.0.1:" + std::to_string(port("nats")); }

void TestPlatform::kill(const std::string& part) { run_or_throw("kill", part); }
void TestPlatform::start() { run_or_throw("start"); }
void TestPlatform::stop() { run_or_throw("stop"); }

std::string TestPlatform::log(const std::string& part) const {
    if (part.find('/') != std::string::npos) throw std::invalid_argument("TestPlatform: bad part '" + part + "'");
    std::ifstream in(run_dir() + "/logs/" + part + ".log", std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

void TestPlatform::run_or_throw(const std::string& command, const std::string& arg) const {
    std::string output;
    int status = run_script(command, arg, &output);
    if (status != 0)
        throw std::runtime_error("scripts/platform " + command + (arg.empty() ? "" : " " + arg) +
                                 " failed (exit status " + std::to_string(status) + "):\n" + output);
}

int TestPlatform::run_script(const std::string& command, const std::string& arg, std::string* output) const {
    // The environment: ours, then everything inherited that we do not set.
    std::vector<std::string> env_strings;
    for (const auto& [name, value] : env_) env_strings.push_back(name + "=" + value);
    for (char** e = environ; *e != nullptr; ++e) {
        std::string entry = *e;
        if (!env_.contains(entry.substr(0, entry.find('=')))) env_strings.push_back(std::move(entry));
    }
    std::vector<std::string> argv{"bash", script_path(), command};
    if (!arg.empty()) argv.push_back(arg);
    auto ran = platform::run_process(argv, &env_strings);
    if (output) *output = std::move(ran.output);
    return ran.status;
}

} // namespace fd::test
