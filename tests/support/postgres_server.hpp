#pragma once
// A real PostgreSQL 15 for one test: its own cluster in a temporary folder (initdb, run as
// the `postgres` user since we are root), listening on a free port on 127.0.0.1 and on a
// socket in that folder, removed when the object goes away.
//
// Local (socket) connections are trusted, for the test's own psql; TCP connections need
// the password of the `fd` role, as a service's would.
#include <string>
#include <vector>

namespace fd::test {

class PostgresServer {
 public:
  PostgresServer();  // initdb, then start()
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // A new database owned by the `fd` role; returns url(name).
  std::string create_database(const std::string& name);
  // postgresql://fd:<password>@127.0.0.1:<port>/<database>
  std::string url(const std::string& database) const;
  int port() const { return port_; }
  std::string log_path() const { return dir_ + "/postgresql.log"; }

  // SQL run as the superuser over the socket; returns psql's unaligned output.
  std::string psql(const std::string& database, const std::string& sql) const;

  void start();                     // waits until it accepts connections
  void stop(bool immediate = false);  // immediate: like a crash, every session cut at once

 private:
  std::string as_postgres(const std::vector<std::string>& argv, const std::string& what) const;

  std::string dir_;
  std::string data_dir_;
  int port_ = 0;
  bool running_ = false;
};

}  // namespace fd::test
