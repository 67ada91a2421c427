# Writes OUTPUT: a C++ source defining `const std::vector<platform::Migration>& NAMESPACE::schema()`
# with every DIR/NNN_*.sql file, in version order. Run by fd_service at build time, so an
# edited or added migration is embedded by the next build.
file(GLOB files RELATIVE "${DIR}" "${DIR}/[0-9][0-9][0-9]_*.sql")
list(SORT files)
set(entries "")
foreach(file IN LISTS files)
  string(SUBSTRING "${file}" 0 3 number)
  math(EXPR version "${number}")
  file(READ "${DIR}/${file}" sql)
  string(FIND "${sql}" ")fd_sql\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${file} contains the text )fd_sql\" that ends the embedded string")
  endif()
  string(APPEND entries "      {${version}, \"${file}\", R\"fd_sql(${sql})fd_sql\"},\n")
endforeach()
file(WRITE "${OUTPUT}.new"
  "// Generated from ${DIR} by cmake/embed_schema.cmake: edit the .sql files, not this.\n"
  "#include \"platform/migrations.hpp\"\n\n"
  "namespace ${NAMESPACE} {\n\n"
  "const std::vector<platform::Migration>& schema() {\n"
  "  static const std::vector<platform::Migration> migrations{\n${entries}  };\n"
  "  return migrations;\n}\n\n}  // namespace ${NAMESPACE}\n")
file(COPY_FILE "${OUTPUT}.new" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.new")
