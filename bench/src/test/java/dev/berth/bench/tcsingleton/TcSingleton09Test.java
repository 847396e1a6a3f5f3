package dev.berth.bench.tcsingleton;

class TcSingleton09Test extends TcSingletonSuiteBase {
}
