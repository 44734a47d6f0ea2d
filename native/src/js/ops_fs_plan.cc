// fsmountPlan: the whole new-mount-API sequence in one call (one thread hop when async).
// The plan object is copied field by field into sys::FsMountPlanSpec before anything runs.
#include <string>

#include "js/ops.h"
#include "js/run_op.h"
#include "sys/fs_context.h"

namespace ovl::js {

namespace {

using Type = sys::FsParamSpec::Type;

bool ParseType(Args& a, Napi::Value v, const std::string& what, bool allow_opened, Type* out) {
  std::string name;
  if (!a.ToString(v, what, &name)) return false;
  if (name == "flag") *out = Type::kFlag;
  else if (name == "string") *out = Type::kString;
  else if (name == "path") *out = Type::kPath;
  else if (name == "fd") *out = Type::kFd;
  else if (name == "opened" && allow_opened) *out = Type::kOpened;
  else return a.Fail(what, allow_opened ? "'flag', 'string', 'path', 'fd' or 'opened'" : "'flag', 'string', 'path' or 'fd'", v);
  return true;
}

// opened_max: the highest path index an 'opened' param may name; -1: 'opened' is not allowed.
bool ParseParam(Args& a, Napi::Value v, const std::string& what, size_t index, int64_t opened_max, sys::FsParamSpec* p) {
  std::string at = what + "[" + std::to_string(index) + "]";
  Napi::Object o;
  if (!a.ToObject(v, at, &o)) return false;
  if (!ParseType(a, o.Get("type"), at + ".type", opened_max >= 0, &p->type)) return false;
  if (!a.ToString(o.Get("key"), at + ".key", &p->key)) return false;
  switch (p->type) {
    case Type::kFlag:
      return true;
    case Type::kString:
      return a.ToBytes(o.Get("value"), at + ".value", &p->value);
    case Type::kPath:
      return a.ToBytes(o.Get("value"), at + ".value", &p->value) &&
             a.ToBool(o.Get("noFollow"), at + ".noFollow", false, &p->no_follow);
    case Type::kFd:
      return a.ToInt32(o.Get("fd"), at + ".fd", &p->fd);
    case Type::kOpened: {
      int64_t i = 0;
      if (!a.ToInteger(o.Get("index"), at + ".index", 0, opened_max, &i)) return false;
      p->opened_index = static_cast<uint32_t>(i);
      return true;
    }
  }
  return true;
}

struct FsMountPlanOp {
  static constexpr const char* kName = "fsmountPlan";
  sys::FsMountPlanSpec plan;

  bool Parse(Args& a) { return ParseFsMountPlan(a, a[0], "plan", -1, &plan); }
  sys::MountIds ids;

  void Execute(sys::Failure* f) { sys::RunFsMountPlan(plan, &ids, f); }
  Napi::Value Result(Napi::Env env) { return MountIdsToJs(env, ids); }
};

}  // namespace

bool ParseFsMountPlan(Args& a, Napi::Value v, const std::string& what, int64_t opened_max, sys::FsMountPlanSpec* plan) {
  Napi::Object o;
  Napi::Array params;
  if (!a.ToObject(v, what, &o) || !a.ToString(o.Get("fstype"), what + ".fstype", &plan->fstype) ||
      !a.ToArray(o.Get("params"), what + ".params", &params) ||
      !a.ToUint32(o.Get("attrs"), what + ".attrs", &plan->attrs) ||
      !a.ToBytes(o.Get("target"), what + ".target", &plan->target) ||
      !a.ToBool(o.Get("refuseReadonly"), what + ".refuseReadonly", false, &plan->refuse_readonly)) {
    return false;
  }
  plan->params.resize(params.Length());
  for (uint32_t i = 0; i < params.Length(); ++i) {
    if (!ParseParam(a, params.Get(i), what + ".params", i, opened_max, &plan->params[i])) return false;
  }
  return true;
}

Napi::Value MountIdsToJs(Napi::Env env, const sys::MountIds& ids) {
  Napi::Object out = Napi::Object::New(env);
  // Mount ids are counters (unique ones start at 2^31): exact as doubles.
  out.Set("mountId", Napi::Number::New(env, static_cast<double>(ids.mount_id)));
  if (ids.unique_mount_id != 0) out.Set("uniqueMountId", Napi::Number::New(env, static_cast<double>(ids.unique_mount_id)));
  return out;
}

void RegisterFsPlanOps(Napi::Env env, Napi::Object exports) { Export<FsMountPlanOp>(env, exports); }

}  // namespace ovl::js
