{
  "targets": [
    {
      "target_name": "medlens_native",
      "sources": ["src/addon.cc", "src/activation.cc", "src/attention.cc", "src/batchnorm.cc", "src/batchnorm_napi.cc", "src/common.cc", "src/conv.cc", "src/conv_napi.cc", "src/elementwise.cc", "src/elementwise_napi.cc", "src/gelu.cc", "src/indexing.cc", "src/indexing_napi.cc", "src/layernorm.cc", "src/matmul.cc", "src/pooling.cc", "src/pooling_napi.cc", "src/rnn.cc", "src/rnn_napi.cc", "src/transformer_napi.cc"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-fopenmp"],
      "ldflags": ["-fopenmp"],
      "libraries": ["-ldnnl"],
      "conditions": [
        ["OS=='mac'", {
          "include_dirs": ["/opt/homebrew/include", "/usr/local/include"],
          "libraries": ["-L/opt/homebrew/lib", "-L/usr/local/lib"],
          "xcode_settings": { "GCC_ENABLE_CPP_EXCEPTIONS": "YES", "CLANG_CXX_LANGUAGE_STANDARD": "c++17", "OTHER_CPLUSPLUSFLAGS": ["-Xpreprocessor", "-fopenmp"] }
        }]
      ]
    }
  ]
}
