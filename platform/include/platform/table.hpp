#pragma once
// A table holding one aggregate a row: its columns and how a row becomes the aggregate,
// declared once, read by column name. The first column is the key.
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "platform/db.hpp"
#include "platform/problem.hpp"

namespace platform {

template <class T>
struct Column {
  std::string name;
  std::function<Value(const T&)> value;  // what the aggregate stores in it
};

// A column holding one member of the aggregate as it is.
template <class T, class M>
Column<T> column(std::string name, M T::*member) {
  return {std::move(name), [member](const T& aggregate) -> Value {
            const auto& field = aggregate.*member;
            if constexpr (std::is_integral_v<M>) return static_cast<std::int64_t>(field);
            else return field;
          }};
}

// "42" for a key in messages.
inline std::string key_text(const Value& key) {
  if (auto* n = std::get_if<std::int64_t>(&key)) return std::to_string(*n);
  if (auto* s = std::get_if<std::string>(&key)) return *s;
  if (auto* d = std::get_if<double>(&key)) return std::to_string(*d);
  return "null";
}

template <class T>
class Table {
 public:
  // noun names one row in messages ("no order 42").
  Table(std::string name, std::string noun, std::vector<Column<T>> columns, std::function<T(const Row&)> read)
      : name_(std::move(name)), noun_(std::move(noun)), columns_(std::move(columns)), read_(std::move(read)) {
    if (columns_.empty()) throw std::invalid_argument("table " + name_ + " declares no columns");
    std::string list, marks, updates;
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      const auto& column = columns_[i].name;
      list += (i ? ", " : "") + column;
      marks += i ? ", ?" : "?";
      if (i) updates += (i > 1 ? ", " : "") + column + " = excluded." + column;
    }
    select_ = "SELECT " + list + " FROM " + name_ + " ";
    find_ = select_ + "WHERE " + columns_.front().name + " = ?";
    insert_ = "INSERT INTO " + name_ + " (" + list + ") VALUES (" + marks + ")";
    save_ = insert_ + " ON CONFLICT (" + columns_.front().name + ") DO " +
            (updates.empty() ? std::string("NOTHING") : "UPDATE SET " + updates);
  }

  const std::string& name() const { return name_; }
  const std::string& noun() const { return noun_; }
  const std::string& key() const { return columns_.front().name; }

  std::optional<T> find(Db& db, const Value& key) const {
    auto row = db.query_one(find_, {key});
    if (!row) return std::nullopt;
    return read_(*row);
  }

  // The aggregate the caller may see: Problem 404 "no <noun> <key>" when there is none, and
  // the same when `visible` says the caller may not see it (ids are not a secret to probe).
  T get(Db& db, const Value& key, const std::function<bool(const T&)>& visible = nullptr) const {
    auto aggregate = find(db, key);
    if (!aggregate || (visible && !visible(*aggregate))) throw missing(key);
    return std::move(*aggregate);
  }

  // What a caller is told of a key with no row here (or one it may not see).
  Problem missing(const Value& key) const { return not_found("no " + noun_ + " " + key_text(key)); }

  // A new key, taken in the caller's transaction (Db::next_id).
  std::int64_t next_key(Db& tx) const { return tx.next_id(name_, columns_.front().name); }

  // `rest` is what follows FROM: "WHERE customer = ? ORDER BY order_id DESC LIMIT 100".
  std::vector<T> select(Db& db, std::string_view rest, const std::vector<Value>& args = {}) const {
    std::vector<T> out;
    for (const auto& row : db.query(select_ + std::string(rest), args)) out.push_back(read_(row));
    return out;
  }

  void insert(Db& tx, const T& aggregate) const { tx.exec(insert_, values(aggregate)); }

  // Inserts the aggregate, or updates every column of the row it already has.
  void save(Db& tx, const T& aggregate) const { tx.exec(save_, values(aggregate)); }

  Value key_of(const T& aggregate) const { return columns_.front().value(aggregate); }

 private:
  std::vector<Value> values(const T& aggregate) const {
    std::vector<Value> out;
    out.reserve(columns_.size());
    for (const auto& column : columns_) out.push_back(column.value(aggregate));
    return out;
  }

  std::string name_;
  std::string noun_;
  std::vector<Column<T>> columns_;
  std::function<T(const Row&)> read_;
  std::string select_, find_, insert_, save_;
};

// An optional text column: NULL when empty.
inline Value text_or_null(const std::string& text) { return text.empty() ? Value(nullptr) : Value(text); }

}  // namespace platform
