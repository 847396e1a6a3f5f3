package dev.berth.bench.tcsingleton;

class TcSingleton03Test extends TcSingletonSuiteBase {
}
