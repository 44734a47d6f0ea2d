{
  "targets": [
    {
      "target_name": "ovl_native",
      "sources": [
        "src/sys/mount_ops.cc",
        "src/sys/fs_context.cc",
        "src/sys/xattr_ops.cc",
        "src/sys/path_probe.cc",
        "src/sys/mount_list.cc",
        "src/sys/legacy_mount.cc",
        "src/sys/dir_scan.cc",
        "src/sys/inotify_fd.cc",
        "src/sys/read_beneath.cc",
        "src/sys/file_lock.cc",
        "src/sys/write_beneath.cc",
        "src/sys/examine.cc",
        "src/sys/expectations.cc",
        "src/sys/examine_and_mount.cc",
        "src/sys/stream_beneath.cc",
        "src/js/addon.cc",
        "src/js/args.cc",
        "src/js/errors.cc",
        "src/js/constants.cc",
        "src/js/ops_mount.cc",
        "src/js/ops_fs_context.cc",
        "src/js/ops_fs_plan.cc",
        "src/js/ops_xattr.cc",
        "src/js/ops_path.cc",
        "src/js/ops_examine.cc",
        "src/js/ops_scan.cc",
        "src/js/inotify_watcher.cc",
        "src/js/ops_lock.cc",
        "src/js/ops_write.cc",
        "src/js/ops_stream.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "src"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra", "-fvisibility=hidden"],
      "cflags_cc!": ["-fno-exceptions"],
      "configurations": {
        "Asan": {
          "inherit_from": ["Release"],
          "cflags_cc": ["-O1", "-g", "-fno-omit-frame-pointer", "-fsanitize=address,undefined", "-fsanitize-address-use-after-scope", "-fno-sanitize-recover=all"],
          "ldflags": ["-fsanitize=address,undefined"]
        }
      }
    }
  ]
}
