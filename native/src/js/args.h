// Copies JS arguments into plain C++ values on the JS thread, throwing a TypeError that
// names the function and the argument when a type is wrong. Every To* returns false with
// the TypeError pending, so op parsers chain them with &&.
#pragma once

#include <napi.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ovl::js {

class Args {
 public:
  Args(const Napi::CallbackInfo& info, std::string function)
      : info_(info), function_(std::move(function)) {}

  Napi::Env Env() const { return info_.Env(); }
  // Missing arguments read as undefined, which every To* rejects unless it is optional.
  Napi::Value operator[](size_t i) const { return info_[i]; }

  // string (UTF-8 encoded) or Buffer/Uint8Array (raw bytes, kept exactly), holding no NUL
  // byte: paths, names and option strings reach the kernel as C strings, where a NUL would
  // silently cut them short (a TypeError instead, as Node's fs gives).
  bool ToBytes(Napi::Value v, const std::string& what, std::string* out);
  // The same, NUL bytes allowed: for values that are data to the kernel (xattr values,
  // FSCONFIG_SET_BINARY), passed with their length.
  bool ToBinary(Napi::Value v, const std::string& what, std::string* out);
  // Same, but null or undefined give std::nullopt.
  bool ToOptionalBytes(Napi::Value v, const std::string& what, std::optional<std::string>* out);
  // A JS string only, holding no NUL character.
  bool ToString(Napi::Value v, const std::string& what, std::string* out);
  bool ToOptionalString(Napi::Value v, const std::string& what, std::optional<std::string>* out);
  // An integral number in [min, max].
  bool ToInteger(Napi::Value v, const std::string& what, int64_t min, int64_t max, int64_t* out);
  bool ToInt32(Napi::Value v, const std::string& what, int* out);
  bool ToUint32(Napi::Value v, const std::string& what, uint32_t* out);
  // A non-negative integer or Infinity (UINT64_MAX).
  bool ToCount(Napi::Value v, const std::string& what, uint64_t* out);
  // boolean; undefined reads as `fallback`.
  bool ToBool(Napi::Value v, const std::string& what, bool fallback, bool* out);
  bool ToObject(Napi::Value v, const std::string& what, Napi::Object* out);
  bool ToArray(Napi::Value v, const std::string& what, Napi::Array* out);
  // An array whose every element ToBytes accepts. Strings are read straight into place with
  // one napi call each, and "<what>[i]" is only spelled out for an element that fails:
  // scanNames and scanDirs take hundreds of names per call, thousands of calls per walk.
  bool ToBytesList(Napi::Value v, const char* what, std::vector<std::string>* out);

  // Throws "<function>: <what> must be <expected>, got <type>"; always returns false.
  bool Fail(const std::string& what, const char* expected, Napi::Value got);

 private:
  const Napi::CallbackInfo& info_;
  std::string function_;
};

}  // namespace ovl::js
