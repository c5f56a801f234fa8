def greeting(version):
    return "hello from GREETING_VERSION, app " + version
