// The one async primitive of the addon: a libuv pool job that settles a Promise.
// Subclasses run plain C++ in Run() (no JS values there) and build the JS result in Result().
#pragma once

#include <napi.h>

#include "js/errors.h"
#include "sys/failure.h"

namespace ovl::js {

class PromiseWorker : public Napi::AsyncWorker {
 public:
  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  PromiseWorker(Napi::Env env, const char* resource_name)
      : Napi::AsyncWorker(env, resource_name), deferred_(Napi::Promise::Deferred::New(env)) {}

  // Pool thread: must not touch JS. Reports failure through `failure`.
  virtual void Run(sys::Failure* failure) = 0;
  // JS thread, after a successful Run().
  virtual Napi::Value Result(Napi::Env env) = 0;

 private:
  void Execute() final { Run(&failure_); }

  // Failures travel in failure_, not SetError(): SetError carries only a message, and the
  // errors here need errno, code, step, kernelMessages...
  void OnOK() final {
    Napi::Env env = Env();
    if (failure_.failed()) {
      deferred_.Reject(MakeNativeError(env, failure_).Value());
      return;
    }
    Napi::Value value = Result(env);
    if (env.IsExceptionPending()) {
      deferred_.Reject(env.GetAndClearPendingException().Value());
      return;
    }
    deferred_.Resolve(value);
  }

  void OnError(const Napi::Error& error) final { deferred_.Reject(error.Value()); }

  Napi::Promise::Deferred deferred_;
  sys::Failure failure_;
};

}  // namespace ovl::js
