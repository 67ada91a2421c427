// libpq, loaded when the first PostgreSQL database is opened instead of at every start.
//
// Debian's libpq brings Kerberos, LDAP, SASL and GnuTLS (with p11-kit) along, whose loading
// and constructors cost each process about 3.5 MB of resident memory and part of its start,
// while the embedded profile (SQLite) never calls any of it. The platform is built against
// libpq-fe.h but not linked to libpq: these definitions of the functions it calls resolve the
// library's own on first use.
#include <dlfcn.h>
#include <libpq-fe.h>

#include <mutex>
#include <stdexcept>
#include <string>

namespace {

// Opened once; tried again at the next call when it could not be (libpq5 installed since).
void* library() {
  static std::mutex mutex;
  static void* handle = nullptr;
  std::lock_guard lock(mutex);
  if (handle) return handle;
  handle = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    throw std::runtime_error(std::string("a PostgreSQL database needs the PostgreSQL client library libpq.so.5 "
                                         "(Debian package libpq5), which cannot be loaded: ") +
                             (why ? why : "unknown error"));
  }
  return handle;
}

template <typename Function>
Function symbol(const char* name) {
  void* found = dlsym(library(), name);
  if (!found) throw std::runtime_error(std::string("libpq.so.5 has no function ") + name);
  return reinterpret_cast<Function>(found);
}

}  // namespace

extern "C" {

PQconninfoOption* PQconninfoParse(const char* conninfo, char** errmsg) {
  static const auto real = symbol<decltype(&PQconninfoParse)>("PQconninfoParse");
  return real(conninfo, errmsg);
}

void PQconninfoFree(PQconninfoOption* options) {
  static const auto real = symbol<decltype(&PQconninfoFree)>("PQconninfoFree");
  real(options);
}

PGconn* PQconnectdbParams(const char* const* keywords, const char* const* values, int expand_dbname) {
  static const auto real = symbol<decltype(&PQconnectdbParams)>("PQconnectdbParams");
  return real(keywords, values, expand_dbname);
}

void PQfinish(PGconn* conn) {
  static const auto real = symbol<decltype(&PQfinish)>("PQfinish");
  real(conn);
}

ConnStatusType PQstatus(const PGconn* conn) {
  static const auto real = symbol<decltype(&PQstatus)>("PQstatus");
  return real(conn);
}

PGTransactionStatusType PQtransactionStatus(const PGconn* conn) {
  static const auto real = symbol<decltype(&PQtransactionStatus)>("PQtransactionStatus");
  return real(conn);
}

char* PQerrorMessage(const PGconn* conn) {
  static const auto real = symbol<decltype(&PQerrorMessage)>("PQerrorMessage");
  return real(conn);
}

int PQsocket(const PGconn* conn) {
  static const auto real = symbol<decltype(&PQsocket)>("PQsocket");
  return real(conn);
}

PQnoticeProcessor PQsetNoticeProcessor(PGconn* conn, PQnoticeProcessor proc, void* arg) {
  static const auto real = symbol<decltype(&PQsetNoticeProcessor)>("PQsetNoticeProcessor");
  return real(conn, proc, arg);
}

int PQconsumeInput(PGconn* conn) {
  static const auto real = symbol<decltype(&PQconsumeInput)>("PQconsumeInput");
  return real(conn);
}

PGnotify* PQnotifies(PGconn* conn) {
  static const auto real = symbol<decltype(&PQnotifies)>("PQnotifies");
  return real(conn);
}

void PQfreemem(void* ptr) {
  static const auto real = symbol<decltype(&PQfreemem)>("PQfreemem");
  real(ptr);
}

PGresult* PQexec(PGconn* conn, const char* query) {
  static const auto real = symbol<decltype(&PQexec)>("PQexec");
  return real(conn, query);
}

PGresult* PQprepare(PGconn* conn, const char* stmtName, const char* query, int nParams, const Oid* paramTypes) {
  static const auto real = symbol<decltype(&PQprepare)>("PQprepare");
  return real(conn, stmtName, query, nParams, paramTypes);
}

PGresult* PQexecPrepared(PGconn* conn, const char* stmtName, int nParams, const char* const* paramValues,
                         const int* paramLengths, const int* paramFormats, int resultFormat) {
  static const auto real = symbol<decltype(&PQexecPrepared)>("PQexecPrepared");
  return real(conn, stmtName, nParams, paramValues, paramLengths, paramFormats, resultFormat);
}

void PQclear(PGresult* res) {
  static const auto real = symbol<decltype(&PQclear)>("PQclear");
  real(res);
}

ExecStatusType PQresultStatus(const PGresult* res) {
  static const auto real = symbol<decltype(&PQresultStatus)>("PQresultStatus");
  return real(res);
}

char* PQresultErrorField(const PGresult* res, int fieldcode) {
  static const auto real = symbol<decltype(&PQresultErrorField)>("PQresultErrorField");
  return real(res, fieldcode);
}

char* PQcmdStatus(PGresult* res) {
  static const auto real = symbol<decltype(&PQcmdStatus)>("PQcmdStatus");
  return real(res);
}

char* PQcmdTuples(PGresult* res) {
  static const auto real = symbol<decltype(&PQcmdTuples)>("PQcmdTuples");
  return real(res);
}

int PQntuples(const PGresult* res) {
  static const auto real = symbol<decltype(&PQntuples)>("PQntuples");
  return real(res);
}

int PQnfields(const PGresult* res) {
  static const auto real = symbol<decltype(&PQnfields)>("PQnfields");
  return real(res);
}

char* PQfname(const PGresult* res, int field_num) {
  static const auto real = symbol<decltype(&PQfname)>("PQfname");
  return real(res, field_num);
}

Oid PQftype(const PGresult* res, int field_num) {
  static const auto real = symbol<decltype(&PQftype)>("PQftype");
  return real(res, field_num);
}

char* PQgetvalue(const PGresult* res, int tup_num, int field_num) {
  static const auto real = symbol<decltype(&PQgetvalue)>("PQgetvalue");
  return real(res, tup_num, field_num);
}

int PQgetlength(const PGresult* res, int tup_num, int field_num) {
  static const auto real = symbol<decltype(&PQgetlength)>("PQgetlength");
  return real(res, tup_num, field_num);
}

int PQgetisnull(const PGresult* res, int tup_num, int field_num) {
  static const auto real = symbol<decltype(&PQgetisnull)>("PQgetisnull");
  return real(res, tup_num, field_num);
}

}  // extern "C"
