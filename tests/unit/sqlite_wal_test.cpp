// The services' SQLite files with each transaction's WAL frames written in one write
// (platform/src/sqlite_wal_vfs.cpp): what another connection and a recovery after a killed
// process see, and how many writes a commit makes.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "platform/db.hpp"

namespace {

namespace fs = std::filesystem;

class SqliteWal : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = fs::temp_directory_path() /
              ("fd-sqlite-wal-" + std::to_string(getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(folder_);
    fs::create_directories(folder_);
    path_ = (folder_ / "service.db").string();
  }
  void TearDown() override { fs::remove_all(folder_); }

  // The first column of the first row, read through a connection of SQLite's own VFS, as
  // another process (the sqlite3 shell, a backup) opens the file.
  std::string read_elsewhere(const std::string& sql) const {
    sqlite3* other = nullptr;
    EXPECT_EQ(sqlite3_open_v2(path_.c_str(), &other, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* statement = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(other, sql.c_str(), -1, &statement, nullptr), SQLITE_OK) << sqlite3_errmsg(other);
    std::string value;
    if (sqlite3_step(statement) == SQLITE_ROW) value = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    sqlite3_finalize(statement);
    sqlite3_close(other);
    return value;
  }
  std::int64_t count_elsewhere(const std::string& sql) const {
    auto text = read_elsewhere(sql);
    return text.empty() ? -1 : std::stoll(text);
  }

  fs::path folder_;
  std::string path_;
};

// The write system calls this thread has made (/proc/thread-self/io, syscw).
std::int64_t writes_so_far() {
  std::ifstream io("/proc/thread-self/io");
  std::string name;
  std::int64_t value = 0;
  while (io >> name >> value)
    if (name == "syscw:") return value;
  return -1;
}

const std::string kRow(1500, 'r');  // two rows fill most of a 4 KiB page

void make_tables(platform::Db& db) {
  db.script(
      "CREATE TABLE a (id INTEGER PRIMARY KEY, body TEXT); CREATE TABLE b (id INTEGER PRIMARY KEY, body TEXT);"
      "CREATE TABLE c (id INTEGER PRIMARY KEY, body TEXT); CREATE INDEX a_body ON a (body, id);");
}

TEST_F(SqliteWal, EveryCommitIsReadByAnotherConnectionOnceItReturns) {
  auto db = platform::open_database("sqlite:" + path_);
  make_tables(*db);
  for (int i = 1; i <= 60; ++i) {
    db->transaction([&](platform::Db& tx) {
      tx.exec("INSERT INTO a (id, body) VALUES (?, ?)", {std::int64_t{i}, kRow + std::to_string(i)});
      tx.exec("INSERT INTO b (id, body) VALUES (?, ?)", {std::int64_t{i}, kRow});
      tx.exec("INSERT INTO c (id, body) VALUES (?, ?)", {std::int64_t{i}, kRow});
    });
    ASSERT_EQ(count_elsewhere("SELECT COUNT(*) FROM a"), i) << "commit " << i;
    ASSERT_EQ(count_elsewhere("SELECT COUNT(*) FROM c"), i) << "commit " << i;
  }
  EXPECT_EQ(read_elsewhere("PRAGMA integrity_check"), "ok");
}

TEST_F(SqliteWal, ATransactionsFramesGoToTheFileInOneWrite) {
  auto db = platform::open_database("sqlite:" + path_);
  make_tables(*db);
  auto insert = [&](std::int64_t id) {
    db->transaction([&](platform::Db& tx) {
      tx.exec("INSERT INTO a (id, body) VALUES (?, ?)", {id, kRow});
      tx.exec("INSERT INTO b (id, body) VALUES (?, ?)", {id, kRow});
      tx.exec("INSERT INTO c (id, body) VALUES (?, ?)", {id, kRow});
    });
  };
  insert(1);  // the WAL's header and the tables' first pages
  const auto wal = path_ + "-wal";
  const auto size_before = fs::file_size(wal);
  const auto writes_before = writes_so_far();
  ASSERT_GE(writes_before, 0) << "no syscw in /proc/thread-self/io";
  insert(2);
  const auto writes = writes_so_far() - writes_before;
  const auto frames = (fs::file_size(wal) - size_before) / (4096 + 24);
  ASSERT_GE(frames, 4u) << "the transaction should have changed a page of each table and of the index";
  EXPECT_EQ(writes, 1) << frames << " frames; SQLite alone writes each as a header and a page, "
                       << 2 * frames << " writes";
  EXPECT_EQ(count_elsewhere("SELECT COUNT(*) FROM b"), 2);
}

// A transaction larger than SQLite's page cache writes frames before its commit, and when it
// changes a page again that it already wrote, it rewrites that frame and the checksums of
// every frame after it, the commit frame's last. A process killed right after such a commit
// leaves a WAL that the next one recovers from, checking each frame's checksum: the commit
// is there only if the rewritten headers reached the file.
TEST_F(SqliteWal, ACommitThatRewroteItsFramesSurvivesTheProcessKilledAfterIt) {
  {
    auto db = platform::open_database("sqlite:" + path_);
    make_tables(*db);
  }
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) try {
    auto db = platform::open_database("sqlite:" + path_);
    db->script("PRAGMA cache_size=50");  // 50 pages: the transaction below spills
    db->transaction([&](platform::Db& tx) {
      for (int i = 1; i <= 400; ++i)
        tx.exec("INSERT INTO a (id, body) VALUES (?, ?)", {std::int64_t{i}, kRow + std::to_string(i)});
      tx.exec("UPDATE a SET body = 'changed' WHERE id <= 5");  // pages spilled already
    });
    _exit(0);  // no close, no checkpoint: what a killed process leaves
  } catch (const std::exception& error) {
    std::fprintf(stderr, "the child failed: %s\n", error.what());
    _exit(1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_GT(fs::file_size(path_ + "-wal"), 400u * 1500u) << "the commit should be in the WAL, not yet checkpointed";

  EXPECT_EQ(count_elsewhere("SELECT COUNT(*) FROM a"), 400);
  EXPECT_EQ(count_elsewhere("SELECT COUNT(*) FROM a WHERE body = 'changed'"), 5);
  EXPECT_EQ(read_elsewhere("PRAGMA integrity_check"), "ok");
}

}  // namespace
