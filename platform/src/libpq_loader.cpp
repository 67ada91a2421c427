// libpq, loaded when the first PostgreSQL database is opened instead of at every start.
//
// Debian's libpq brings Kerberos, LDAP, SASL and GnuTLS (with p11-kit) along, whose loading
// and constructors cost each process about 3.5 MB of resident memory and part of its start,
// while the embedded profile (SQLite) never calls any of it.
#include <libpq-fe.h>

#include "loaded_library.hpp"

namespace {

platform::LoadedLibrary libpq(
    "libpq.so.5", "a PostgreSQL database needs the PostgreSQL client library libpq.so.5 (Debian package libpq5)");

}  // namespace

extern "C" {
FD_LOADED_FUNCTION(libpq, PQconninfoOption*, PQconninfoParse, (const char* conninfo, char** errmsg), (conninfo, errmsg))
FD_LOADED_FUNCTION(libpq, void, PQconninfoFree, (PQconninfoOption* options), (options))
FD_LOADED_FUNCTION(libpq, PGconn*, PQconnectdbParams,
                   (const char* const* keywords, const char* const* values, int expand_dbname),
                   (keywords, values, expand_dbname))
FD_LOADED_FUNCTION(libpq, void, PQfinish, (PGconn* conn), (conn))
FD_LOADED_FUNCTION(libpq, ConnStatusType, PQstatus, (const PGconn* conn), (conn))
FD_LOADED_FUNCTION(libpq, PGTransactionStatusType, PQtransactionStatus, (const PGconn* conn), (conn))
FD_LOADED_FUNCTION(libpq, char*, PQerrorMessage, (const PGconn* conn), (conn))
FD_LOADED_FUNCTION(libpq, int, PQsocket, (const PGconn* conn), (conn))
FD_LOADED_FUNCTION(libpq, PQnoticeProcessor, PQsetNoticeProcessor,
                   (PGconn* conn, PQnoticeProcessor proc, void* arg),
                   (conn, proc, arg))
FD_LOADED_FUNCTION(libpq, int, PQconsumeInput, (PGconn* conn), (conn))
FD_LOADED_FUNCTION(libpq, PGnotify*, PQnotifies, (PGconn* conn), (conn))
FD_LOADED_FUNCTION(libpq, void, PQfreemem, (void* ptr), (ptr))
FD_LOADED_FUNCTION(libpq, PGresult*, PQexec, (PGconn* conn, const char* query), (conn, query))
FD_LOADED_FUNCTION(libpq, PGresult*, PQprepare,
                   (PGconn* conn, const char* stmtName, const char* query, int nParams, const Oid* paramTypes),
                   (conn, stmtName, query, nParams, paramTypes))
FD_LOADED_FUNCTION(libpq, PGresult*, PQexecPrepared,
                   (PGconn* conn, const char* stmtName, int nParams, const char* const* paramValues,
                    const int* paramLengths, const int* paramFormats, int resultFormat),
                   (conn, stmtName, nParams, paramValues, paramLengths, paramFormats, resultFormat))
FD_LOADED_FUNCTION(libpq, void, PQclear, (PGresult* res), (res))
FD_LOADED_FUNCTION(libpq, ExecStatusType, PQresultStatus, (const PGresult* res), (res))
FD_LOADED_FUNCTION(libpq, char*, PQresultErrorField, (const PGresult* res, int fieldcode), (res, fieldcode))
FD_LOADED_FUNCTION(libpq, char*, PQcmdStatus, (PGresult* res), (res))
FD_LOADED_FUNCTION(libpq, char*, PQcmdTuples, (PGresult* res), (res))
FD_LOADED_FUNCTION(libpq, int, PQntuples, (const PGresult* res), (res))
FD_LOADED_FUNCTION(libpq, int, PQnfields, (const PGresult* res), (res))
FD_LOADED_FUNCTION(libpq, char*, PQfname, (const PGresult* res, int field_num), (res, field_num))
FD_LOADED_FUNCTION(libpq, Oid, PQftype, (const PGresult* res, int field_num), (res, field_num))
FD_LOADED_FUNCTION(libpq, char*, PQgetvalue,
                   (const PGresult* res, int tup_num, int field_num),
                   (res, tup_num, field_num))
FD_LOADED_FUNCTION(libpq, int, PQgetlength,
                   (const PGresult* res, int tup_num, int field_num),
                   (res, tup_num, field_num))
FD_LOADED_FUNCTION(libpq, int, PQgetisnull,
                   (const PGresult* res, int tup_num, int field_num),
                   (res, tup_num, field_num))

}  // extern "C"
