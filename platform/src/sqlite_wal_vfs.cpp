// SQLite's VFS with each transaction's WAL frames written together. SQLite writes a frame
// as two pwrite(2)s, its 24-byte header and then its page, so a commit of five pages made ten
// system calls, each paying this guest's hypervisor hook on its return (bench/README.md,
// "The WAL's frames written together": 17-23 us a commit of five frames, 3-5 us in one
// write). Here the frames of a transaction wait in memory and go to the file in one write
// once its commit frame is complete, inside the xWrite of that frame's page: the commit is in
// the file before SQLite makes it visible to other connections, as without the buffer, and a
// failed write fails the commit.
//
// Only the WAL file is wrapped; the database, its journal and the shared-memory index are
// the default VFS's own files, and other processes open them as usual. The WAL format
// (sqlite.org/fileformat2.html, "The Write-Ahead Log") is what is relied on: a frame header
// is 24 bytes, and its bytes 4-7 hold the database's size after the commit in a commit
// frame, zero in any other.
#include <sqlite3.h>

#include <algorithm>
#include <new>
#include <string>

#include "db_backends.hpp"

namespace platform {

namespace {

constexpr int kFrameHeaderBytes = 24;
// The unix VFS writes at most 128 KiB - 1 in one call (it masks the length with 0x1ffff:
// SQLite itself never asks for more than a page). What is held goes to the file in parts
// below that, and a larger transaction is written as its frames reach it.
constexpr std::size_t kWriteAtMost = 124 * 1024;

sqlite3_vfs* underlying = nullptr;

struct WalFile {
  sqlite3_file base;      // base.pMethods: wal_methods
  sqlite3_file* real;     // the default VFS's file, in the same allocation after this struct
  std::string held;    // bytes written to the WAL and not yet to the file, ending at next
  sqlite3_int64 next;  // where the last write ended: a write there continues it
  // The write after a commit frame's header is its page (or the part of one SQLite writes
  // before a sync): once it is held, the transaction goes to the file.
  bool write_through_next;
};

WalFile* wal(sqlite3_file* file) { return reinterpret_cast<WalFile*>(file); }

int write_held(WalFile* file) {
  int rc = SQLITE_OK;
  const auto held_at = file->next - static_cast<sqlite3_int64>(file->held.size());
  for (std::size_t done = 0; done < file->held.size() && rc == SQLITE_OK; done += kWriteAtMost) {
    const auto part = std::min(kWriteAtMost, file->held.size() - done);
    rc = file->real->pMethods->xWrite(file->real, file->held.data() + done, static_cast<int>(part),
                                      held_at + static_cast<sqlite3_int64>(done));
  }
  file->held.clear();
  return rc;
}

bool is_commit_frame_header(const void* data, int bytes) {
  if (bytes != kFrameHeaderBytes) return false;
  const auto* header = static_cast<const unsigned char*>(data);
  return (header[4] | header[5] | header[6] | header[7]) != 0;
}

// A commit frame's header written anywhere but where the last write ended is one SQLite
// writes again with new checksums (a transaction that spilled frames and then changed one of
// their pages), after which nothing else is written before the commit is made visible: it
// goes to the file at once. Or it is the first write since the file was opened, with its
// page still to come: that one is written through too.
int wal_write(sqlite3_file* f, const void* data, int bytes, sqlite3_int64 offset) {
  auto* file = wal(f);
  const bool continues = offset == file->next;
  if (!continues) {
    if (int rc = write_held(file); rc != SQLITE_OK) return rc;
  }
  try {
    file->held.append(static_cast<const char*>(data), static_cast<std::size_t>(bytes));
  } catch (const std::bad_alloc&) {
    return SQLITE_IOERR_NOMEM;
  }
  file->next = offset + bytes;
  if (is_commit_frame_header(data, bytes)) {
    file->write_through_next = true;
    return continues ? SQLITE_OK : write_held(file);
  }
  if (file->write_through_next || file->held.size() >= kWriteAtMost) {
    file->write_through_next = false;
    return write_held(file);
  }
  return SQLITE_OK;
}

int wal_close(sqlite3_file* f) {
  auto* file = wal(f);
  int rc = write_held(file);
  int closed = file->real->pMethods->xClose(file->real);
  file->~WalFile();
  return rc != SQLITE_OK ? rc : closed;
}

int wal_read(sqlite3_file* f, void* out, int bytes, sqlite3_int64 offset) {
  auto* file = wal(f);
  if (int rc = write_held(file); rc != SQLITE_OK) return rc;
  return file->real->pMethods->xRead(file->real, out, bytes, offset);
}

int wal_truncate(sqlite3_file* f, sqlite3_int64 size) {
  auto* file = wal(f);
  if (int rc = write_held(file); rc != SQLITE_OK) return rc;
  file->next = -1;
  return file->real->pMethods->xTruncate(file->real, size);
}

// A sync may come between the parts of a page split at a sector boundary (synchronous=FULL
// on a file system without power-safe overwrite): what follows it is written through too.
int wal_sync(sqlite3_file* f, int flags) {
  auto* file = wal(f);
  if (int rc = write_held(file); rc != SQLITE_OK) return rc;
  file->write_through_next = true;
  return file->real->pMethods->xSync(file->real, flags);
}

int wal_file_size(sqlite3_file* f, sqlite3_int64* size) {
  auto* file = wal(f);
  if (int rc = write_held(file); rc != SQLITE_OK) return rc;
  return file->real->pMethods->xFileSize(file->real, size);
}

int wal_lock(sqlite3_file* f, int level) { return wal(f)->real->pMethods->xLock(wal(f)->real, level); }
int wal_unlock(sqlite3_file* f, int level) { return wal(f)->real->pMethods->xUnlock(wal(f)->real, level); }
int wal_check_reserved_lock(sqlite3_file* f, int* out) {
  return wal(f)->real->pMethods->xCheckReservedLock(wal(f)->real, out);
}
int wal_file_control(sqlite3_file* f, int op, void* arg) {
  auto* file = wal(f);
  if (int rc = write_held(file); rc != SQLITE_OK) return rc;
  return file->real->pMethods->xFileControl(file->real, op, arg);
}
int wal_sector_size(sqlite3_file* f) { return wal(f)->real->pMethods->xSectorSize(wal(f)->real); }
int wal_device_characteristics(sqlite3_file* f) {
  return wal(f)->real->pMethods->xDeviceCharacteristics(wal(f)->real);
}
// SQLite maps no WAL file into memory and keeps its index beside the database file, so the
// WAL file's version-2 and -3 methods are only passed on.
int wal_shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return wal(f)->real->pMethods->xShmMap(wal(f)->real, region, size, extend, out);
}
int wal_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return wal(f)->real->pMethods->xShmLock(wal(f)->real, offset, n, flags);
}
void wal_shm_barrier(sqlite3_file* f) { wal(f)->real->pMethods->xShmBarrier(wal(f)->real); }
int wal_shm_unmap(sqlite3_file* f, int delete_flag) {
  return wal(f)->real->pMethods->xShmUnmap(wal(f)->real, delete_flag);
}
int wal_fetch(sqlite3_file* f, sqlite3_int64 offset, int bytes, void** out) {
  auto* file = wal(f);
  if (int rc = write_held(file); rc != SQLITE_OK) return rc;
  return file->real->pMethods->xFetch(file->real, offset, bytes, out);
}
int wal_unfetch(sqlite3_file* f, sqlite3_int64 offset, void* page) {
  return wal(f)->real->pMethods->xUnfetch(wal(f)->real, offset, page);
}

const sqlite3_io_methods wal_methods = {
    3,           wal_close,       wal_read,        wal_write,     wal_truncate,
    wal_sync,    wal_file_size,   wal_lock,        wal_unlock,    wal_check_reserved_lock,
    wal_file_control, wal_sector_size, wal_device_characteristics, wal_shm_map, wal_shm_lock,
    wal_shm_barrier, wal_shm_unmap, wal_fetch,    wal_unfetch,
};

int open_file(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  if (!(flags & SQLITE_OPEN_WAL)) return underlying->xOpen(underlying, name, file, flags, out_flags);
  auto* wrapped = new (file) WalFile{{nullptr}, nullptr, {}, -1, false};
  wrapped->real = reinterpret_cast<sqlite3_file*>(wrapped + 1);
  int rc = underlying->xOpen(underlying, name, wrapped->real, flags, out_flags);
  if (rc != SQLITE_OK || wrapped->real->pMethods == nullptr) {
    wrapped->~WalFile();
    file->pMethods = nullptr;  // SQLite does not close a file whose open failed
    return rc != SQLITE_OK ? rc : SQLITE_CANTOPEN;
  }
  // wal_methods pass on the real file's version-3 methods (the shared memory, the mapping).
  if (wrapped->real->pMethods->iVersion < 3) {
    wrapped->real->pMethods->xClose(wrapped->real);
    wrapped->~WalFile();
    file->pMethods = nullptr;
    return SQLITE_CANTOPEN;
  }
  wrapped->base.pMethods = &wal_methods;
  return SQLITE_OK;
}

}  // namespace

const char* wal_frames_together_vfs() {
  static const char* name = [] {
    underlying = sqlite3_vfs_find(nullptr);
    if (underlying == nullptr) return static_cast<const char*>(nullptr);
    // The default VFS's own methods do the rest: the VFS they are given is a copy of theirs.
    static sqlite3_vfs vfs = *underlying;
    vfs.pNext = nullptr;
    vfs.szOsFile = static_cast<int>(sizeof(WalFile)) + underlying->szOsFile;
    vfs.zName = "fd-wal-frames-together";
    vfs.xOpen = open_file;
    if (sqlite3_vfs_register(&vfs, 0) != SQLITE_OK) return static_cast<const char*>(nullptr);
    return vfs.zName;
  }();
  return name;
}

}  // namespace platform
