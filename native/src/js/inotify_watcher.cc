// InotifyWatcher: an inotify fd polled in Node's own event loop (uv_poll_t), delivering every
// batch of events that one readable wakeup yields as ONE JS array (thousands of events cost
// one JS call, not thousands).
//
// Lifetime. The uv handle and the read buffer live in a heap PollState, not in the JS
// object, because libuv frees nothing before the close callback runs:
// - close() stops polling, closes the fd and uv_close()s the handle; the close callback
//   frees the PollState. No JS callback runs after close() returns.
// - While open, the watcher holds a strong reference to its own JS object (as Node's own
//   handles do): an open watcher is not garbage collected, so it never goes quiet by itself.
// - The destructor (GC after close, or environment teardown) closes the handle if still open.
// - An async cleanup hook closes the handle when the environment (a worker thread, say) goes
//   away while the watcher is open, and Node waits for the close callback, so the loop is
//   never closed with the handle still in it.
#include <unistd.h>
#include <uv.h>

#include <cerrno>
#include <memory>
#include <string>
#include <vector>

#include "js/args.h"
#include "js/errors.h"
#include "js/ops.h"
#include "sys/failure.h"
#include "sys/inotify_fd.h"

namespace ovl::js {

namespace {

constexpr size_t kReadBuffer = 64 * 1024;
// Reads per wakeup at most (4 MiB of events): a writer faster than the JS thread cannot
// starve the loop; the level-triggered poll fires again right away for the rest.
constexpr int kMaxReadsPerWakeup = 64;

class InotifyWatcher;

struct PollState {
  uv_poll_t handle;
  int fd = -1;
  InotifyWatcher* owner = nullptr;  // null once shut down
  napi_async_cleanup_hook_handle hook = nullptr;
  char buf[kReadBuffer];
};

void OnClosed(uv_handle_t* handle) {
  auto* st = static_cast<PollState*>(handle->data);
  if (st->hook != nullptr) napi_remove_async_cleanup_hook(st->hook);
  delete st;
}

class InotifyWatcher : public Napi::ObjectWrap<InotifyWatcher> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "InotifyWatcher",
                       {
                           InstanceMethod<&InotifyWatcher::Add>("add"),
                           InstanceMethod<&InotifyWatcher::Remove>("remove"),
                           InstanceMethod<&InotifyWatcher::Close>("close"),
                           InstanceMethod<&InotifyWatcher::JsRef>("ref"),
                           InstanceMethod<&InotifyWatcher::JsUnref>("unref"),
                       });
  }

  explicit InotifyWatcher(const Napi::CallbackInfo& info) : Napi::ObjectWrap<InotifyWatcher>(info) {
    Napi::Env env = info.Env();
    if (!info[0].IsFunction()) {
      Args args(info, "InotifyWatcher");
      args.Fail("onEvents", "a function", info[0]);
      return;
    }
    sys::Failure failure;
    int fd = sys::InotifyInit();
    if (failure.Set(fd, "inotify_init1")) {
      MakeNativeError(env, failure).ThrowAsJavaScriptException();
      return;
    }
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
      ::close(fd);
      Napi::Error::New(env, "InotifyWatcher: no event loop to poll on").ThrowAsJavaScriptException();
      return;
    }
    auto* st = new PollState;
    st->fd = fd;
    int rc = uv_poll_init(loop, &st->handle, fd);  // libuv errors are -errno on Linux
    if (rc != 0) {
      delete st;
      ::close(fd);
      failure.Set(rc, "uv_poll_init");
      MakeNativeError(env, failure).ThrowAsJavaScriptException();
      return;
    }
    st->handle.data = st;
    rc = uv_poll_start(&st->handle, UV_READABLE, OnPoll);
    if (rc != 0) {
      uv_close(reinterpret_cast<uv_handle_t*>(&st->handle), OnClosed);
      ::close(fd);
      failure.Set(rc, "uv_poll_start");
      MakeNativeError(env, failure).ThrowAsJavaScriptException();
      return;
    }
    st->owner = this;
    state_ = st;
    // Without the hook an exiting worker would leave the poll handle behind: refuse instead.
    if (napi_add_async_cleanup_hook(env, OnEnvCleanup, st, &st->hook) != napi_ok) {
      state_ = nullptr;
      st->owner = nullptr;
      uv_close(reinterpret_cast<uv_handle_t*>(&st->handle), OnClosed);
      ::close(fd);
      Napi::Error::New(env, "InotifyWatcher: could not register its cleanup").ThrowAsJavaScriptException();
      return;
    }
    callback_ = Napi::Persistent(info[0].As<Napi::Function>());
    context_ = std::make_unique<Napi::AsyncContext>(env, "InotifyWatcher", info.This().As<Napi::Object>());
    Ref();  // open watchers stay alive; close() lets go
    self_ref_ = true;
  }

  ~InotifyWatcher() override {
    if (state_ != nullptr) Shutdown(state_);
  }

 private:
  // Stops polling, closes the fd and starts uv_close; idempotent. Touches no JS.
  static void Shutdown(PollState* st) {
    if (st->owner != nullptr) {
      st->owner->state_ = nullptr;
      st->owner = nullptr;
    }
    if (uv_is_closing(reinterpret_cast<uv_handle_t*>(&st->handle))) return;
    uv_poll_stop(&st->handle);  // removes the fd from epoll before it is closed
    ::close(st->fd);
    st->fd = -1;
    uv_close(reinterpret_cast<uv_handle_t*>(&st->handle), OnClosed);
  }

  static void OnEnvCleanup(napi_async_cleanup_hook_handle, void* arg) {
    Shutdown(static_cast<PollState*>(arg));  // OnClosed removes the hook: Node waits for it
  }

  static void OnPoll(uv_poll_t* handle, int status, int) {
    auto* st = static_cast<PollState*>(handle->data);
    if (st->owner == nullptr) return;
    std::vector<sys::InotifyEvent> events;
    int rc = status < 0 ? status
                        : sys::ReadInotifyEvents(st->fd, st->buf, sizeof st->buf,
                                                 kMaxReadsPerWakeup, &events);
    // A broken inotify fd would wake the loop forever: stop polling it (never seen in practice).
    if (rc < 0) uv_poll_stop(handle);
    if (!events.empty()) st->owner->Deliver(events);  // may close: st is not used after
  }

  // The events as JS objects; false (with an exception pending) if any napi call failed.
  bool BuildEvents(napi_env env, const std::vector<sys::InotifyEvent>& events, napi_value* out) {
    napi_value keys[4];
    const char* key_names[4] = {"wd", "mask", "cookie", "name"};
    for (int k = 0; k < 4; ++k) {
      if (napi_create_string_utf8(env, key_names[k], NAPI_AUTO_LENGTH, &keys[k]) != napi_ok) return false;
    }
    if (napi_create_array_with_length(env, events.size(), out) != napi_ok) return false;
    for (size_t i = 0; i < events.size(); ++i) {
      const sys::InotifyEvent& e = events[i];
      napi_value obj, values[4];
      // Invalid UTF-8 in a name becomes U+FFFD.
      if (napi_create_object(env, &obj) != napi_ok || napi_create_int32(env, e.wd, &values[0]) != napi_ok ||
          napi_create_uint32(env, e.mask, &values[1]) != napi_ok || napi_create_uint32(env, e.cookie, &values[2]) != napi_ok ||
          napi_create_string_utf8(env, e.name.data(), e.name.size(), &values[3]) != napi_ok) {
        return false;
      }
      for (int k = 0; k < 4; ++k) {
        if (napi_set_property(env, obj, keys[k], values[k]) != napi_ok) return false;
      }
      if (napi_set_element(env, *out, static_cast<uint32_t>(i), obj) != napi_ok) return false;
    }
    return true;
  }

  void Deliver(const std::vector<sys::InotifyEvent>& events) {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    napi_value array;
    if (!BuildEvents(env, events, &array)) {
      // Out of memory, or a terminating environment: these events cannot reach JS. Say so
      // the way an exception in the callback would, rather than deliver a partial batch.
      if (!env.IsExceptionPending()) Napi::Error::New(env, "InotifyWatcher: could not build the events for the callback").ThrowAsJavaScriptException();
      napi_fatal_exception(env, env.GetAndClearPendingException().Value());
      return;
    }
    callback_.MakeCallback(Value(), {array}, *context_);
    if (env.IsExceptionPending()) {
      // Like an exception thrown by an fs.watch listener: 'uncaughtException', or exit.
      napi_fatal_exception(env, env.GetAndClearPendingException().Value());
    }
  }

  Napi::Value Add(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Args args(info, "InotifyWatcher.add");
    std::string path;
    uint32_t mask = 0;
    if (!args.ToBytes(info[0], "path", &path) || !args.ToUint32(info[1], "mask", &mask)) {
      return env.Undefined();
    }
    int wd = state_ != nullptr ? sys::InotifyAddWatch(state_->fd, path.c_str(), mask) : -EBADF;
    sys::Failure failure;
    if (failure.Set(wd, "inotify_add_watch")) {
      failure.path = path;
      MakeNativeError(env, failure).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    return Napi::Number::New(env, wd);
  }

  Napi::Value Remove(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Args args(info, "InotifyWatcher.remove");
    int wd = 0;
    if (!args.ToInt32(info[0], "wd", &wd)) return env.Undefined();
    if (state_ == nullptr) return env.Undefined();  // closing the fd removed every watch
    int rc = sys::InotifyRmWatch(state_->fd, wd);
    sys::Failure failure;
    if (rc != -EINVAL && failure.Set(rc, "inotify_rm_watch")) {
      MakeNativeError(env, failure).ThrowAsJavaScriptException();
    }
    return env.Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (state_ != nullptr) Shutdown(state_);
    callback_.Reset();
    context_.reset();
    if (self_ref_) {
      self_ref_ = false;
      Unref();
    }
    return info.Env().Undefined();
  }

  Napi::Value JsRef(const Napi::CallbackInfo& info) {
    if (state_ != nullptr) uv_ref(reinterpret_cast<uv_handle_t*>(&state_->handle));
    return info.Env().Undefined();
  }

  Napi::Value JsUnref(const Napi::CallbackInfo& info) {
    if (state_ != nullptr) uv_unref(reinterpret_cast<uv_handle_t*>(&state_->handle));
    return info.Env().Undefined();
  }

  PollState* state_ = nullptr;
  Napi::FunctionReference callback_;
  std::unique_ptr<Napi::AsyncContext> context_;
  bool self_ref_ = false;
};

}  // namespace

void RegisterInotify(Napi::Env env, Napi::Object exports) {
  exports.Set("InotifyWatcher", InotifyWatcher::Define(env));
}

}  // namespace ovl::js
