#include "postgres_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "platform/process.hpp"
#include "support/scratch.hpp"

namespace fd::test {

namespace {

const std::string kBin = "/usr/lib/postgresql/15/bin/";
const std::string kRole = "fd";
const std::string kPassword = "fd-test-secret";

}  // namespace

PostgresServer::PostgresServer() {
  dir_ = make_temp_dir("fd-pg-");
  data_dir_ = dir_ + "/data";
  try {
    // The server refuses to run as root: the folder becomes the postgres user's.
    const passwd* postgres = ::getpwnam("postgres");
    if (!postgres) throw std::runtime_error("no `postgres` user: install Debian's postgresql package");
    if (::chown(dir_.c_str(), postgres->pw_uid, postgres->pw_gid) != 0)
      throw std::runtime_error("chown " + dir_ + ": " + std::strerror(errno));
    as_postgres({kBin + "initdb", "-D", data_dir_, "--auth-local=trust", "--auth-host=scram-sha-256",
                 "--username=postgres", "--encoding=UTF8", "--locale=C", "--no-sync"},
                "initdb");
    port_ = free_port();
    start();
    psql("postgres", "CREATE ROLE " + kRole + " LOGIN CREATEDB PASSWORD '" + kPassword + "'");
  } catch (...) {
    if (running_) stop(true);
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
    throw;
  }
}

PostgresServer::~PostgresServer() {
  try {
    if (running_) stop(true);
  } catch (...) {
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string PostgresServer::as_postgres(const std::vector<std::string>& argv, const std::string& what) const {
  std::vector<std::string> command = {"runuser", "-u", "postgres", "--"};
  command.insert(command.end(), argv.begin(), argv.end());
  auto result = platform::run_process(command);
  if (result.status != 0)
    throw std::runtime_error("PostgreSQL " + what + " failed (status " + std::to_string(result.status) +
                             "): " + result.output + "\nserver log:\n" + tail_of(log_path()));
  return result.output;
}

void PostgresServer::start() {
  // fsync off: a test's server never outlives the machine's power, only its own crash.
  as_postgres({kBin + "pg_ctl", "-D", data_dir_, "-l", log_path(), "-w", "-t", "30", "-o",
               "-p " + std::to_string(port_) + " -k " + dir_ + " -c listen_addresses=127.0.0.1 -c fsync=off", "start"},
              "start");
  running_ = true;
}

void PostgresServer::stop(bool immediate) {
  as_postgres({kBin + "pg_ctl", "-D", data_dir_, "-m", immediate ? "immediate" : "fast", "-w", "-t", "30", "stop"},
              "stop");
  running_ = false;
}

std::string PostgresServer::psql(const std::string& database, const std::string& sql) const {
  return as_postgres({kBin + "psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", dir_, "-p",
                      std::to_string(port_), "-U", "postgres", "-d", database, "-c", sql},
                     "psql");
}

std::string PostgresServer::create_database(const std::string& name) {
  psql("postgres", "CREATE DATABASE \"" + name + "\" OWNER " + kRole);  // quoted: `order` is a keyword
  return url(name);
}

std::string PostgresServer::url(const std::string& database) const {
  return "postgresql://" + kRole + ":" + kPassword + "@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

}  // namespace fd::test
