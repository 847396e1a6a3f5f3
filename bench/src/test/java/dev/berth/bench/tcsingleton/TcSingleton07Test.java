package dev.berth.bench.tcsingleton;

class TcSingleton07Test extends TcSingletonSuiteBase {
}
