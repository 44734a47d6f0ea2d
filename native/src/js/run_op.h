// Runs an "op" synchronously or on the thread pool, so the sync and async form of every
// call share one argument parser and one Execute().
//
// An op is a plain struct (the sharp "baton"):
//   struct XOp {
//     static constexpr const char* kName = "x";   // JS name; the async form is "xAsync"
//     bool Parse(Args& args);                      // JS thread: copy every argument
//     void Execute(sys::Failure* failure);         // any thread: syscalls only, no JS
//     Napi::Value Result(Napi::Env env);           // JS thread: the return value
//   };
// Adding a call is: write the struct, then Export<XOp>(env, exports) (or ExportSync).
#pragma once

#include <napi.h>

#include <string>
#include <utility>

#include "js/args.h"
#include "js/errors.h"
#include "js/promise_worker.h"

namespace ovl::js {

template <class Op>
class OpWorker final : public PromiseWorker {
 public:
  OpWorker(Napi::Env env, Op op) : PromiseWorker(env, Op::kName), op_(std::move(op)) {}

 private:
  void Run(sys::Failure* failure) override { op_.Execute(failure); }
  Napi::Value Result(Napi::Env env) override { return op_.Result(env); }

  Op op_;
};

template <class Op>
Napi::Value RunSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Op op;
  Args args(info, Op::kName);
  // A throwing getter on an argument leaves an exception pending even where Parse went on.
  if (!op.Parse(args) || env.IsExceptionPending()) return env.Undefined();
  sys::Failure failure;
  op.Execute(&failure);
  if (failure.failed()) {
    MakeNativeError(env, failure).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return op.Result(env);
}

template <class Op>
Napi::Value RunAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Op op;
  Args args(info, std::string(Op::kName) + "Async");
  if (!op.Parse(args) || env.IsExceptionPending()) {
    // A promise-returning call reports bad arguments as a rejection too, so callers
    // need only one error path. The exception must be cleared first: N-API refuses to
    // create a promise while one is pending.
    Napi::Value error = env.GetAndClearPendingException().Value();
    auto deferred = Napi::Promise::Deferred::New(env);
    deferred.Reject(error);
    return deferred.Promise();
  }
  auto* worker = new OpWorker<Op>(env, std::move(op));  // deletes itself once settled
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

template <class Op>
void ExportSync(Napi::Env env, Napi::Object exports) {
  exports.Set(Op::kName, Napi::Function::New(env, RunSync<Op>, Op::kName));
}

template <class Op>
void Export(Napi::Env env, Napi::Object exports) {
  ExportSync<Op>(env, exports);
  std::string async_name = std::string(Op::kName) + "Async";
  exports.Set(async_name, Napi::Function::New(env, RunAsync<Op>, async_name));
}

}  // namespace ovl::js
