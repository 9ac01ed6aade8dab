def setup(app):
    app.add_config_value("c_header_path", "", "env")
    return {}
