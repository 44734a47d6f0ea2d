#include <string>
#include <vector>

#include "js/ops.h"
#include "js/run_op.h"
#include "sys/xattr_ops.h"

namespace ovl::js {

namespace {

struct LGetXattrOp {
  static constexpr const char* kName = "lgetxattr";
  std::string path, name, value;

  bool Parse(Args& a) { return a.ToBytes(a[0], "path", &path) && a.ToString(a[1], "name", &name); }
  void Execute(sys::Failure* f) {
    if (f->Set(sys::LGetXattr(path.c_str(), name.c_str(), &value), "lgetxattr")) f->path = path;
  }
  Napi::Value Result(Napi::Env env) {
    return Napi::Buffer<char>::Copy(env, value.data(), value.size());
  }
};

struct LSetXattrOp {
  static constexpr const char* kName = "lsetxattr";
  std::string path, name, value;
  int flags = 0;

  bool Parse(Args& a) {
    return a.ToBytes(a[0], "path", &path) && a.ToString(a[1], "name", &name) &&
           a.ToBinary(a[2], "value", &value) && a.ToInt32(a[3], "flags", &flags);
  }
  void Execute(sys::Failure* f) {
    if (f->Set(sys::LSetXattr(path.c_str(), name.c_str(), value, flags), "lsetxattr")) f->path = path;
  }
  Napi::Value Result(Napi::Env env) { return env.Undefined(); }
};

struct LListXattrOp {
  static constexpr const char* kName = "llistxattr";
  std::string path;
  std::vector<std::string> names;

  bool Parse(Args& a) { return a.ToBytes(a[0], "path", &path); }
  void Execute(sys::Failure* f) {
    if (f->Set(sys::LListXattr(path.c_str(), &names), "llistxattr")) f->path = path;
  }
  Napi::Value Result(Napi::Env env) {
    Napi::Array array = Napi::Array::New(env, names.size());
    for (size_t i = 0; i < names.size(); ++i) {
      array.Set(static_cast<uint32_t>(i), Napi::String::New(env, names[i]));
    }
    return array;
  }
};

struct LRemoveXattrOp {
  static constexpr const char* kName = "lremovexattr";
  std::string path, name;

  bool Parse(Args& a) { return a.ToBytes(a[0], "path", &path) && a.ToString(a[1], "name", &name); }
  void Execute(sys::Failure* f) {
    if (f->Set(sys::LRemoveXattr(path.c_str(), name.c_str()), "lremovexattr")) f->path = path;
  }
  Napi::Value Result(Napi::Env env) { return env.Undefined(); }
};

}  // namespace

void RegisterXattrOps(Napi::Env env, Napi::Object exports) {
  Export<LGetXattrOp>(env, exports);
  Export<LSetXattrOp>(env, exports);
  Export<LListXattrOp>(env, exports);
  Export<LRemoveXattrOp>(env, exports);
}

}  // namespace ovl::js
