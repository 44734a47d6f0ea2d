#include "js/args.h"

#include <cstring>

#include <cmath>
#include <limits>

namespace ovl::js {

namespace {

bool IsNullish(Napi::Value v) { return v.IsNull() || v.IsUndefined(); }

bool IsUint8Array(Napi::Value v) {
  return v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array;
}

const char* TypeName(Napi::Value v) {
  switch (v.Type()) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return "boolean";
    case napi_number: return "number";
    case napi_string: return "string";
    case napi_symbol: return "symbol";
    case napi_function: return "function";
    case napi_bigint: return "bigint";
    default: return v.IsArray() ? "array" : "object";
  }
}

}  // namespace

bool Args::Fail(const std::string& what, const char* expected, Napi::Value got) {
  // A getter on the argument threw: let that exception stand (a second throw is fatal).
  if (Env().IsExceptionPending()) return false;
  std::string message = function_ + ": " + what + " must be " + expected + ", got " + TypeName(got);
  Napi::TypeError::New(Env(), message).ThrowAsJavaScriptException();
  return false;
}

bool Args::ToBytes(Napi::Value v, const std::string& what, std::string* out) {
  if (!ToBinary(v, what, out)) return false;
  if (out->find('\0') != std::string::npos) return Fail(what, "a string or Buffer without null bytes", v);
  return true;
}

bool Args::ToBinary(Napi::Value v, const std::string& what, std::string* out) {
  if (v.IsString()) {
    *out = v.As<Napi::String>().Utf8Value();
    return true;
  }
  if (IsUint8Array(v)) {
    auto bytes = v.As<Napi::Uint8Array>();
    out->assign(reinterpret_cast<const char*>(bytes.Data()), bytes.ElementLength());
    return true;
  }
  return Fail(what, "a string or Buffer", v);
}

bool Args::ToOptionalBytes(Napi::Value v, const std::string& what, std::optional<std::string>* out) {
  if (IsNullish(v)) {
    out->reset();
    return true;
  }
  if (!v.IsString() && !IsUint8Array(v)) return Fail(what, "a string, Buffer or null", v);
  return ToBytes(v, what, &out->emplace());
}

bool Args::ToString(Napi::Value v, const std::string& what, std::string* out) {
  if (!v.IsString()) return Fail(what, "a string", v);
  *out = v.As<Napi::String>().Utf8Value();
  if (out->find('\0') != std::string::npos) return Fail(what, "a string without null characters", v);
  return true;
}

bool Args::ToOptionalString(Napi::Value v, const std::string& what, std::optional<std::string>* out) {
  if (IsNullish(v)) {
    out->reset();
    return true;
  }
  if (!v.IsString()) return Fail(what, "a string or null", v);
  return ToString(v, what, &out->emplace());
}

bool Args::ToInteger(Napi::Value v, const std::string& what, int64_t min, int64_t max, int64_t* out) {
  if (!v.IsNumber()) return Fail(what, "an integer", v);
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::trunc(d) != d || d < static_cast<double>(min) ||
      d > static_cast<double>(max)) {
    std::string expected = "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
    std::string message = function_ + ": " + what + " must be " + expected + ", got " +
                          Napi::Value(v).ToString().Utf8Value();
    Napi::RangeError::New(Env(), message).ThrowAsJavaScriptException();
    return false;
  }
  *out = static_cast<int64_t>(d);
  return true;
}

bool Args::ToInt32(Napi::Value v, const std::string& what, int* out) {
  int64_t n = 0;
  if (!ToInteger(v, what, std::numeric_limits<int>::min(), std::numeric_limits<int>::max(), &n)) {
    return false;
  }
  *out = static_cast<int>(n);
  return true;
}

bool Args::ToUint32(Napi::Value v, const std::string& what, uint32_t* out) {
  int64_t n = 0;
  if (!ToInteger(v, what, 0, std::numeric_limits<uint32_t>::max(), &n)) return false;
  *out = static_cast<uint32_t>(n);
  return true;
}

bool Args::ToCount(Napi::Value v, const std::string& what, uint64_t* out) {
  if (v.IsNumber() && v.As<Napi::Number>().DoubleValue() == INFINITY) {
    *out = std::numeric_limits<uint64_t>::max();
    return true;
  }
  int64_t n = 0;
  if (!ToInteger(v, what, 0, int64_t{1} << 53, &n)) return false;
  *out = static_cast<uint64_t>(n);
  return true;
}

bool Args::ToBool(Napi::Value v, const std::string& what, bool fallback, bool* out) {
  if (v.IsUndefined()) {
    *out = fallback;
    return true;
  }
  if (!v.IsBoolean()) return Fail(what, "a boolean", v);
  *out = v.As<Napi::Boolean>().Value();
  return true;
}

bool Args::ToObject(Napi::Value v, const std::string& what, Napi::Object* out) {
  if (!v.IsObject() || v.IsArray() || v.IsFunction()) return Fail(what, "an object", v);
  *out = v.As<Napi::Object>();
  return true;
}

bool Args::ToArray(Napi::Value v, const std::string& what, Napi::Array* out) {
  if (!v.IsArray()) return Fail(what, "an array", v);
  *out = v.As<Napi::Array>();
  return true;
}

bool Args::ToBytesList(Napi::Value v, const char* what, std::vector<std::string>* out) {
  Napi::Array list;
  if (!ToArray(v, what, &list)) return false;
  napi_env env = Env();
  const uint32_t n = list.Length();
  out->resize(n);
  char stack[256];
  for (uint32_t i = 0; i < n; ++i) {
    napi_value item;
    napi_valuetype type;
    if (napi_get_element(env, list, i, &item) != napi_ok || napi_typeof(env, item, &type) != napi_ok) {
      return false;  // a throwing getter: its exception stands
    }
    std::string& dst = (*out)[i];
    size_t len = 0;
    // Most names fit the stack buffer: one call reads them (a longer one needs its length first).
    // napi never splits a character, so a cut-short copy leaves fewer than 4 bytes unused:
    // only a copy shorter than that margin is known to be whole.
    if (type == napi_string && napi_get_value_string_utf8(env, item, stack, sizeof stack, &len) == napi_ok) {
      if (len + 4 < sizeof stack - 1) {
        dst.assign(stack, len);
      } else {
        napi_get_value_string_utf8(env, item, nullptr, 0, &len);
        dst.resize(len);
        napi_get_value_string_utf8(env, item, dst.data(), len + 1, &len);
      }
      if (std::memchr(dst.data(), '\0', dst.size()) == nullptr) continue;
      return Fail(std::string(what) + "[" + std::to_string(i) + "]", "a string or Buffer without null bytes", Napi::Value(env, item));
    }
    if (!ToBytes(Napi::Value(env, item), std::string(what) + "[" + std::to_string(i) + "]", &dst)) return false;
  }
  return true;
}

}  // namespace ovl::js
