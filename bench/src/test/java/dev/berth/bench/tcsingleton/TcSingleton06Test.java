package dev.berth.bench.tcsingleton;

class TcSingleton06Test extends TcSingletonSuiteBase {
}
